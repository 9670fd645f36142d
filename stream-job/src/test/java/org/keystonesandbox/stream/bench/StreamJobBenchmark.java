package org.keystonesandbox.stream.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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
import org.apache.flink.table.api.StatementSet;
import org.keystonesandbox.bench.AlternatingBlocks;
import org.keystonesandbox.cli.Folders;
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
 * then discard) over the same pre-loaded events on one MiniCluster, in alternating blocks of one
 * run each ({@link AlternatingBlocks}): on the heap state backend, then on RocksDB; then the job on
 * the heap backend against the same dedup and sessions in Flink SQL ({@link FlinkSqlSessions}),
 * with the session counts of both beside the reference's ({@link SessionCounts}).
 *
 * <pre>
 * mvn -q install -DskipTests &amp;&amp; mvn -q -pl stream-job exec:exec@benchmark
 *     [-Dbench.records=2000000] [-Dbench.blocks=5] [-Dbench.backends=hashmap,rocksdb,flink-sql]
 *     [-Dbench.warmUps=5] [-Dbench.checkpointInterval=10s] [-Dbench.flinkConf=key=value,...]
 * </pre>
 *
 * Prints for each run its rate (records of the topic, malformed and duplicates included, per second
 * of the job's net run time) and the process's CPU time per record; then one line per backend: the
 * median ratio full / pass-through with its spread, and the largest checkpointed state.
 */
public final class StreamJobBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(StreamJobBenchmark.class);

  /**
   * Unmeasured runs of each job before the first block, by default: the full job's CPU per record
   * keeps falling over its first four or five runs (the JIT compiler is still at work).
   */
  private static final int WARM_UPS = 5;

  private static final String PASS_THROUGH = "pass-through";
  private static final String HEAP = "hashmap";
  private static final String ROCKSDB = "rocksdb";

  /** The job on the heap backend against {@link FlinkSqlSessions} instead of the pass-through. */
  private static final String FLINK_SQL = "flink-sql";

  private static final Map<String, String> GOALS =
      Map.of(HEAP, "at least 0.6", ROCKSDB, "at least 0.3", FLINK_SQL, "at least 1.5");

  private record Run(double recordsPerSecond, long peakStateBytes) {}

  public static void main(String[] args) throws Exception {
    long events = Long.getLong("bench.records", 2_000_000);
    int blocks = Integer.getInteger("bench.blocks", 5);
    List<String> backends =
        List.of(System.getProperty("bench.backends", "hashmap,rocksdb").split(","));
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
        Map<String, String> lastRun = measure(cluster, bootstrap, work, records, blocks, backends);
        if (backends.contains(FLINK_SQL)) {
          SessionCounts.print(bootstrap, loaded, lastRun.get(HEAP), lastRun.get(FLINK_SQL));
        }
      }
    } finally {
      // the ground truth and the checkpoints: hundreds of MB per run
      Folders.delete(work);
    }
  }

  /**
   * The job's settings for a run named {@code name}: its defaults, apart from the topics, a bounded
   * source, and {@code -Dbench.checkpointInterval} and {@code -Dbench.flinkConf} (Flink options for
   * the jobs, as {@code --flink-conf} takes them) when they are set.
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
    for (String entry : System.getProperty("bench.flinkConf", "").split(",")) {
      if (!entry.isBlank()) {
        flags.addAll(List.of("--flink-conf", entry.strip()));
      }
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

  /** Runs the blocks of each mode and prints their lines; returns the last run's name per mode. */
  private static Map<String, String> measure(
      MiniCluster cluster,
      String bootstrap,
      Path work,
      long records,
      int blocks,
      List<String> modes)
      throws Exception {
    Map<String, Long> peakState = new HashMap<>();
    Map<String, String> lastRun = new HashMap<>();
    List<String> lines = new ArrayList<>();
    AtomicInteger runs = new AtomicInteger();
    AlternatingBlocks.Run passThrough =
        () -> {
          String name = PASS_THROUGH + "-" + runs.incrementAndGet();
          return run(cluster, bootstrap, work, name, PASS_THROUGH, records).recordsPerSecond();
        };
    // A run of the job, or of Flink SQL, that keeps its largest state and its last run's name.
    Function<String, AlternatingBlocks.Run> recorded =
        job ->
            () -> {
              String name = job + "-" + runs.incrementAndGet();
              Run run = run(cluster, bootstrap, work, name, job, records);
              peakState.merge(job, run.peakStateBytes(), Math::max);
              lastRun.put(job, name);
              return run.recordsPerSecond();
            };
    for (String mode : modes) {
      boolean againstSql = mode.equals(FLINK_SQL);
      String backend = againstSql ? HEAP : mode;
      AlternatingBlocks.Run full = recorded.apply(backend);
      AlternatingBlocks.Run reference = againstSql ? recorded.apply(FLINK_SQL) : passThrough;
      String stage = "stream job, " + backend;
      String referenceName = againstSql ? "Flink SQL" : "the pass-through";
      System.out.println(stage + " against " + referenceName + ":");
      AlternatingBlocks.Result result =
          new AlternatingBlocks(Integer.getInteger("bench.warmUps", WARM_UPS), blocks, System.out)
              .run(stage, full, againstSql ? FLINK_SQL : PASS_THROUGH, reference);
      String state =
          againstSql
              ? String.format(
                  Locale.ROOT,
                  "; peak checkpointed state %.1f MB against %.1f MB",
                  peakState.get(HEAP) / 1e6,
                  peakState.get(FLINK_SQL) / 1e6)
              : String.format(
                  Locale.ROOT, "; peak checkpointed state %.1f MB", peakState.get(mode) / 1e6);
      lines.add(result.line(stage, "records/s", referenceName, GOALS.get(mode)) + state);
    }
    lines.forEach(System.out::println);
    return lastRun;
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
    boolean sql = mode.equals(FLINK_SQL);
    StreamJobSettings settings =
        settings(bootstrap, checkpoints, name, passThrough || sql ? HEAP : mode);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            StreamJobPipeline.flinkConfiguration(settings.runtime()));
    StatementSet sqlJob = null;
    if (passThrough) {
      StreamJobPipeline.eventsSource(env, settings).sinkTo(new DiscardingSink<>()).name("discard");
    } else {
      KafkaWiring.ensureOutputTopics(settings.kafka(), Duration.ofSeconds(10));
      if (sql) {
        sqlJob = FlinkSqlSessions.statements(env, settings, settings.kafka().sessionsTopic());
      } else {
        StreamJobPipeline.wire(env, settings);
      }
    }
    awaitFreeSlots(cluster);
    long cpuBefore = processCpuNanos();
    JobClient job = sql ? sqlJob.execute().getJobClient().orElseThrow() : env.executeAsync(name);
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
    return new Run(records / seconds, peak);
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
}
