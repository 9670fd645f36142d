package org.keystonesandbox.stream.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.keystonesandbox.stream.RuntimeSettings;
import org.keystonesandbox.stream.RuntimeSettings.StateBackend;
import org.keystonesandbox.stream.StreamJob;
import picocli.CommandLine.Option;

/** How Flink runs the job: the flags of {@link RuntimeSettings}. */
public final class RuntimeOptions {
  @Option(
      names = {"-p", "--parallelism"},
      defaultValue = "2",
      description = "parallelism of every operator (default: ${DEFAULT-VALUE})")
  int parallelism;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "5s",
      description =
          "checkpoint interval; output becomes visible to read_committed consumers at each"
              + " checkpoint (default: ${DEFAULT-VALUE})")
  Duration checkpointInterval;

  @Option(
      names = "--state-backend",
      defaultValue = "hashmap",
      description = "hashmap (on the heap) or rocksdb (default: ${DEFAULT-VALUE})")
  String stateBackend;

  @Option(
      names = "--checkpoint-dir",
      description =
          "folder or URI for checkpoints, kept when the job stops; a restart resumes from the"
              + " newest one found there; a URI needs a Flink file system for its scheme in this"
              + " jar (file:, hdfs://; s3:// only under flink run on a cluster with the S3"
              + " plugin)"
              + " (default: "
              + StreamJob.LOCAL_CHECKPOINT_DIR
              + " on the local MiniCluster, the cluster's own setting under flink run)")
  String checkpointDir;

  @Option(
      names = "--web-ui-port",
      defaultValue = "8081",
      description = "port of Flink's web UI on the local MiniCluster (default: ${DEFAULT-VALUE})")
  int webUiPort;

  @Option(
      names = "--flink-conf",
      paramLabel = "KEY=VALUE",
      description = "any Flink configuration option, e.g. taskmanager.memory.managed.size=1g")
  Map<String, String> flinkConf = new LinkedHashMap<>();

  public RuntimeSettings settings() {
    return new RuntimeSettings(
        parallelism,
        checkpointInterval,
        backend(stateBackend),
        checkpointDir == null ? null : RuntimeSettings.checkpointUri(checkpointDir),
        webUiPort,
        flinkConf);
  }

  private static StateBackend backend(String name) {
    for (StateBackend backend : StateBackend.values()) {
      if (backend.flinkName().equalsIgnoreCase(name)) {
        return backend;
      }
    }
    throw new IllegalArgumentException(
        "unknown state backend '" + name + "': use hashmap or rocksdb");
  }
}
