package org.keystonesandbox.stream;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Flink MiniCluster (one task manager, two slots) for every test class of the JVM that is
 * annotated with {@code @ExtendWith(SharedMiniCluster.class)}: the first starts it, and it stops
 * when the JVM's test run ends. A cluster start costs seconds; a job on a running one, less.
 */
public final class SharedMiniCluster implements BeforeAllCallback {
  private static volatile MiniCluster cluster;

  @Override
  public void beforeAll(ExtensionContext context) {
    context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(SharedMiniCluster.class, key -> start(), Running.class);
  }

  /**
   * An environment whose jobs run on the shared cluster, configured with {@code conf}, with its
   * default parallelism ({@code --parallelism} of the job's settings).
   */
  public static StreamExecutionEnvironment environment(Configuration conf) {
    MiniCluster running = cluster;
    if (running == null) {
      throw new IllegalStateException(
          "no MiniCluster: annotate the test class with @ExtendWith(SharedMiniCluster.class)");
    }
    return new TestStreamEnvironment(
        running, conf, conf.get(CoreOptions.DEFAULT_PARALLELISM), List.of(), List.of());
  }

  /** The cluster's REST API, where a test reads a running job's metrics (its watermarks...). */
  public static URI restAddress() {
    MiniCluster running = cluster;
    if (running == null) {
      throw new IllegalStateException(
          "no MiniCluster: annotate the test class with @ExtendWith(SharedMiniCluster.class)");
    }
    return running.getRestAddress().join();
  }

  private static Running start() {
    Configuration conf = new Configuration();
    // Any free port: a sandbox or compose stack on the same machine holds Flink's default 8081.
    conf.set(RestOptions.BIND_PORT, "0");
    // Metrics over REST fresh within 200 ms rather than the default 10 s.
    conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(200));
    MiniCluster started =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(2)
                .build());
    try {
      started.start();
    } catch (Exception e) {
      throw new IllegalStateException("the MiniCluster did not start", e);
    }
    cluster = started;
    return new Running(started);
  }

  /** Closed by JUnit with the root context, at the end of the JVM's test run. */
  private record Running(MiniCluster started) implements AutoCloseable {
    @Override
    public void close() {
      cluster = null;
      started.closeAsync().join();
    }
  }
}
