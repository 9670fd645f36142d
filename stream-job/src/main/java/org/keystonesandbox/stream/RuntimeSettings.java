package org.keystonesandbox.stream;

import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import org.keystonesandbox.stream.topology.SeenIdsLayout;

/**
 * How Flink runs the job.
 *
 * @param checkpointDir where checkpoints go ({@code file:///...}, {@code s3://...}); null leaves it
 *     to the cluster's configuration (on a MiniCluster without one: the job manager's heap, lost
 *     with the process and limited to 5 MB of state)
 * @param webUiPort the dashboard's port when the job runs on its own MiniCluster
 * @param flinkConfiguration any further Flink option, as key and value ({@code --flink-conf})
 */
public record RuntimeSettings(
    int parallelism,
    Duration checkpointInterval,
    StateBackend stateBackend,
    String checkpointDir,
    int webUiPort,
    Map<String, String> flinkConfiguration) {

  /** Flink's two state backends, each with the layout of remembered ids that suits it. */
  public enum StateBackend {
    HASHMAP("hashmap", SeenIdsLayout.TABLE_IN_USER_STATE),
    ROCKSDB("rocksdb", SeenIdsLayout.BUCKETS_BY_EVENT_TIME);

    private final String flinkName;
    private final SeenIdsLayout seenIdsLayout;

    StateBackend(String flinkName, SeenIdsLayout seenIdsLayout) {
      this.flinkName = flinkName;
      this.seenIdsLayout = seenIdsLayout;
    }

    public String flinkName() {
      return flinkName;
    }

    public SeenIdsLayout seenIdsLayout() {
      return seenIdsLayout;
    }
  }

  public RuntimeSettings {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1");
    }
    if (checkpointInterval.toMillis() < 10) {
      throw new IllegalArgumentException(
          "the checkpoint interval must be at least 10ms: exactly-once output is committed at"
              + " checkpoints");
    }
    flinkConfiguration = Map.copyOf(flinkConfiguration);
  }

  /** {@code folderOrUri} as a checkpoint location: a plain folder becomes an absolute file URI. */
  public static String checkpointUri(String folderOrUri) {
    return folderOrUri.contains("://")
        ? folderOrUri
        : Paths.get(folderOrUri).toAbsolutePath().toUri().toString();
  }
}
