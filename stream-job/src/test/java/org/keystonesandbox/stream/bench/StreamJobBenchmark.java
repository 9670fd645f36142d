package org.keystonesandbox.stream.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.messages.webmonitor.ClusterOverview;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.keystonesandbox.ingest.GeneratorCommand;
import org.keystonesandbox.ingest.GeneratorRun;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaBroker;
import org.keystonesandbox.stream.BoundedRunSettings;
import org.keystonesandbox.stream.StreamJobPipeline;
import org.keystonesandbox.stream.StreamJobSettings;
import org.keystonesandbox.stream.kafka.KafkaWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The full stream job against a pass-through job (Kafka source with the same parse and watermarks,
 * then discard) over the same pre-loaded events, one after the other on one MiniCluster, in one
 * run: heap state backend, then RocksDB.
 *
 * <pre>
 * mvn -q install -DskipTests &amp;&amp; mvn -q -pl stream-job exec:exec@benchmark
 *     [-Dbench.records=2000000] [-Dbench.rounds=5] [-Dbench.skipRocksDb=true]
 *     [-Dbench.checkpointInterval=10s]
 * </pre>
 *
 * Prints for each run its rate (records of the topic, malformed and duplicates included, per second
 * of the job's net run time) and the process's CPU time per record; then the medians, the ratios
 * full / pass-through (goal with the heap backend: at least 0.5), and the largest checkpointed
 * state of each full job.
 */
public final class StreamJobBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(StreamJobBenchmark.class);

  /**
   * Unmeasured runs before the measured ones of each job. The jobs share one JVM and one Flink
   * runtime: runs of one job right after the other's recompile what the other's type profiles
   * changed (the JIT compiler took a quarter to a third of the CPU then, measured per thread from
   * /proc). So each job runs as a block, warm-up first, and the pass-through runs a second block at
   * the end, so that the JVM's own warming over the whole run cannot favour the full jobs: the
   * faster of the two pass-through blocks is the reference. {@code -Dbench.interleaved=true}
   * alternates the jobs instead.
   */
  private static final int WARMUP_ROUNDS = 2;

  private static final String PASS_THROUGH = "pass-through";
  private static final String HEAP = "hashmap";
  private static final String ROCKSDB = "rocksdb";

  private record Run(double recordsPerSecond, double cpuMicrosPerRecord, long peakStateBytes) {}

  public static void main(String[] args) throws Exception {
    long events = Long.getLong("bench.records", 2_000_000);
    int rounds = Integer.getInteger("bench.rounds", 5);
    boolean skipRocksDb = Boolean.getBoolean("bench.skipRocksDb");
    Path work = Files.createTempDirectory("stream-bench");
    try (EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.builder().dataDir(work.resolve("kafka")).build().start()) {
      String bootstrap = broker.bootstrapServers();
      RunSummary loaded =
          new GeneratorRun(
                  GeneratorCommand.parseSettings(
                      "--bootstrap-server",
                      bootstrap,
                      "--topic",
                      "bench-events",
                      "--partitions",
                      "4",
                      "--count",
                      Long.toString(events),
                      "--unthrottled",
                      "--out-dir",
                      work.resolve("gen").toString(),
                      "--progress-interval",
                      "1h"),
                  System.err)
              .run();
      long records = loaded.records();
      System.out.printf(
          Locale.ROOT,
          "pre-loaded %,d records (%,d unique events, %,d duplicates, %,d late, %,d malformed);"
              + " parallelism 2, checkpoints every %.1f s, exactly-once sinks%n",
          records,
          loaded.uniqueEvents(),
          loaded.duplicates(),
          loaded.lateEvents(),
          loaded.malformed(),
          settings(bootstrap, work, "settings", HEAP).runtime().checkpointInterval().toMillis()
              / 1000.0);

      try (MiniCluster cluster = startMiniCluster()) {
        TestStreamEnvironment.setAsContext(cluster, 2);
        measure(cluster, bootstrap, work, records, rounds, skipRocksDb);
      }
    } finally {
      deleteRecursively(work); // the ground truth and the checkpoints: hundreds of MB per run
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /**
   * The job's settings for a run named {@code name}: its defaults, apart from the topics, a bounded
   * source and {@code -Dbench.checkpointInterval} when it is set.
   */
  private static StreamJobSettings settings(
      String bootstrap, Path checkpoints, String name, String stateBackend) {
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--checkpoint-dir",
                checkpoints.resolve(name).toString(),
                "--state-backend",
                stateBackend));
    String checkpointInterval = System.getProperty("bench.checkpointInterval", "");
    if (!checkpointInterval.isBlank()) {
      flags.addAll(List.of("--checkpoint-interval", checkpointInterval));
    }
    return BoundedRunSettings.parse(bootstrap, "bench-events", name, flags.toArray(new String[0]));
  }

  /** One task manager with two slots, and managed memory enough for RocksDB. */
  private static MiniCluster startMiniCluster() throws Exception {
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("512m"));
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(2)
                .build());
    cluster.start();
    return cluster;
  }

  private static void measure(
      MiniCluster cluster,
      String bootstrap,
      Path work,
      long records,
      int rounds,
      boolean skipRocksDb)
      throws Exception {
    List<String> modes =
        skipRocksDb ? List.of(PASS_THROUGH, HEAP) : List.of(PASS_THROUGH, HEAP, ROCKSDB);
    Map<String, List<Run>> runs = new LinkedHashMap<>();
    List<Run> passAgain = new ArrayList<>();
    modes.forEach(mode -> runs.put(mode, new ArrayList<>()));
    if (Boolean.getBoolean("bench.interleaved")) {
      for (int warmup = 1; warmup <= WARMUP_ROUNDS; warmup++) {
        for (String mode : modes) {
          run(cluster, bootstrap, work, "warmup-" + mode + "-" + warmup, mode, records);
        }
      }
      for (int round = 1; round <= rounds; round++) {
        for (String mode : modes) {
          runs.get(mode).add(run(cluster, bootstrap, work, mode + "-" + round, mode, records));
        }
      }
    } else {
      for (String mode : modes) {
        // RocksDB runs take ten times as long: fewer of them.
        int measured = mode.equals(ROCKSDB) ? Math.min(rounds, 2) : rounds;
        runs.get(mode).addAll(block(cluster, bootstrap, work, mode, "", records, measured));
      }
      passAgain.addAll(block(cluster, bootstrap, work, PASS_THROUGH, "again-", records, rounds));
    }
    Run pass = medians(runs.get(PASS_THROUGH));
    if (!passAgain.isEmpty()) {
      Run again = medians(passAgain);
      System.out.printf(
          Locale.ROOT,
          "pass-through before the full jobs %,.0f records/s, after them %,.0f: the faster is the"
              + " reference%n",
          pass.recordsPerSecond,
          again.recordsPerSecond);
      pass = again.recordsPerSecond > pass.recordsPerSecond ? again : pass;
    }
    System.out.printf(
        Locale.ROOT,
        "pass-through: %,.0f records/s, %.2f us of CPU per record%n",
        pass.recordsPerSecond,
        pass.cpuMicrosPerRecord);
    for (String mode : modes.subList(1, modes.size())) {
      Run full = medians(runs.get(mode));
      System.out.printf(
          Locale.ROOT,
          "full job, %s: %,.0f records/s = %.3f of the pass-through%s; %.2f us of CPU per"
              + " record (%.2fx); peak checkpointed state %.1f MB (medians of %d runs)%n",
          mode,
          full.recordsPerSecond,
          full.recordsPerSecond / pass.recordsPerSecond,
          mode.equals(HEAP) ? " (goal: at least 0.5)" : "",
          full.cpuMicrosPerRecord,
          full.cpuMicrosPerRecord / pass.cpuMicrosPerRecord,
          full.peakStateBytes / 1e6,
          runs.get(mode).size());
    }
  }

  /** Warm-up runs of one job, then {@code rounds} measured runs of it. */
  private static List<Run> block(
      MiniCluster cluster,
      String bootstrap,
      Path work,
      String mode,
      String prefix,
      long records,
      int rounds)
      throws Exception {
    for (int warmup = 1; warmup <= WARMUP_ROUNDS; warmup++) {
      run(cluster, bootstrap, work, prefix + "warmup-" + mode + "-" + warmup, mode, records);
    }
    List<Run> measured = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      measured.add(run(cluster, bootstrap, work, prefix + mode + "-" + round, mode, records));
    }
    return measured;
  }

  /** Median rate and CPU per record; the largest peak state. */
  private static Run medians(List<Run> runs) {
    return new Run(
        median(runs.stream().map(Run::recordsPerSecond).toList()),
        median(runs.stream().map(Run::cpuMicrosPerRecord).toList()),
        runs.stream().mapToLong(Run::peakStateBytes).max().orElse(0));
  }

  private static Run run(
      MiniCluster cluster,
      String bootstrap,
      Path checkpoints,
      String name,
      String mode,
      long records)
      throws Exception {
    boolean passThrough = mode.equals(PASS_THROUGH);
    StreamJobSettings settings = settings(bootstrap, checkpoints, name, passThrough ? HEAP : mode);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            StreamJobPipeline.flinkConfiguration(settings.runtime()));
    if (passThrough) {
      StreamJobPipeline.eventsSource(env, settings).sinkTo(new DiscardingSink<>()).name("discard");
    } else {
      KafkaWiring.ensureOutputTopics(settings.kafka(), Duration.ofSeconds(10));
      StreamJobPipeline.wire(env, settings);
    }
    awaitFreeSlots(cluster);
    long cpuBefore = processCpuNanos();
    JobClient job = env.executeAsync(name);
    CompletableFuture<JobExecutionResult> done = job.getJobExecutionResult();
    long peak = checkpointedStateSize(cluster, job);
    JobExecutionResult result = null;
    while (result == null) {
      try {
        result = done.get(500, TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillRunning) {
        peak = Math.max(peak, checkpointedStateSize(cluster, job));
      }
    }
    double seconds = result.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0;
    double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "  %s: %.2f s, %,.0f records/s, %.2f us of CPU per record%n",
        name,
        seconds,
        records / seconds,
        cpuSeconds * 1e6 / records);
    return new Run(records / seconds, cpuSeconds * 1e6 / records, peak);
  }

  /**
   * Waits until the previous job has given its slots back: a job submitted while they are still
   * being released can fail at once for want of resources (seen after a RocksDB run).
   */
  private static void awaitFreeSlots(MiniCluster cluster) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (true) {
      ClusterOverview overview = cluster.requestClusterOverview().get();
      if (overview.getNumSlotsAvailable() == overview.getNumSlotsTotal()
          && overview.getNumSlotsTotal() > 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the MiniCluster's slots were not freed within a minute");
      }
      Thread.sleep(100);
    }
  }

  /** CPU time of the whole process: the job, and the broker and JIT compiler that serve it. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The largest full state size among the job's completed checkpoints so far. */
  private static long checkpointedStateSize(MiniCluster cluster, JobClient job) {
    try {
      CheckpointStatsSnapshot stats =
          cluster.getExecutionGraph(job.getJobID()).get().getCheckpointStatsSnapshot();
      return stats == null ? 0 : stats.getSummaryStats().getStateSizeStats().getMaximum();
    } catch (Exception e) {
      // A failed sample misses nothing: the statistics keep every completed checkpoint, so the
      // next sample still sees the largest.
      LOG.debug("no checkpoint statistics: the job is still starting, or already gone", e);
      return 0;
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
