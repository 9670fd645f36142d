package org.keystonesandbox.stream;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.client.deployment.executors.LocalExecutor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.keystonesandbox.cli.CommandLines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MiniCluster a job started with {@code java -jar} runs on, submitted to as Flink's own local
 * executor does, but kept at hand so that the process can wait for it to close.
 *
 * <p>The cluster closes itself when its job ends, asynchronously; a process that exits meanwhile
 * leaves the cluster's temporary files behind (Flink's RPC jar, 21 MB, and a {@code minicluster_}
 * folder in {@code io.tmp.dirs}), one set per run. {@link #awaitClosed} waits for that close.
 */
final class LocalMiniCluster {
  private static final Logger LOG = LoggerFactory.getLogger(LocalMiniCluster.class);

  private final AtomicReference<MiniCluster> cluster = new AtomicReference<>();
  private volatile String tmpDirs = "";

  /** Starts a cluster for the job wired into {@code env} and submits it. */
  JobClient submit(StreamExecutionEnvironment env, String jobName) throws Exception {
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName(jobName);
    Configuration conf = Configuration.fromMap(env.getConfiguration().toMap());
    tmpDirs = String.join(", ", ConfigurationUtils.parseTempDirectories(conf));
    return LocalExecutor.createWithFactory(
            conf,
            clusterConf -> {
              MiniCluster started = new MiniCluster(clusterConf);
              cluster.set(started);
              return started;
            })
        .execute(graph, conf, Thread.currentThread().getContextClassLoader())
        .get();
  }

  /** Waits up to {@code timeout} until the cluster, closed when its job ended, has closed. */
  void awaitClosed(Duration timeout) {
    MiniCluster started = cluster.get();
    if (started == null) {
      return;
    }
    try {
      started.closeAsync().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn(
          "interrupted while the local Flink cluster closed; its temporary files may remain in {}",
          tmpDirs);
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn(
          "the local Flink cluster did not close cleanly within {} ({}); its temporary files may"
              + " remain in {}",
          timeout,
          CommandLines.rootMessage(e),
          tmpDirs);
    }
  }
}
