package org.keystonesandbox.stream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.keystonesandbox.ingest.GeneratorCommand;
import org.keystonesandbox.ingest.GeneratorRun;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaBroker;
import org.keystonesandbox.stream.StreamJobCommand;
import org.keystonesandbox.stream.StreamJobPipeline;
import org.keystonesandbox.stream.StreamJobSettings;
import org.keystonesandbox.stream.kafka.KafkaWiring;

/**
 * The full stream job against a pass-through job (Kafka source with the same parse and watermarks,
 * then discard) over the same pre-loaded events, on the same kind of MiniCluster, in one run: heap
 * state backend, then RocksDB.
 *
 * <pre>
 * mvn -q install -DskipTests &amp;&amp; mvn -q -pl stream-job exec:exec@benchmark
 *     [-Dbench.records=2000000] [-Dbench.rounds=3]
 * </pre>
 *
 * Prints each job's rate (records of the topic, malformed and duplicates included, per second of
 * the job's net run time), the ratios full / pass-through (goal with the heap backend: at least
 * 0.5), and the largest checkpointed state of each full job.
 */
public final class StreamJobBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private record Run(double recordsPerSecond, long peakStateBytes) {}

  public static void main(String[] args) throws Exception {
    long events = Long.getLong("bench.records", 2_000_000);
    int rounds = Integer.getInteger("bench.rounds", 3);
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
              + " parallelism 2, checkpoints every 2s, exactly-once sinks%n",
          records,
          loaded.uniqueEvents(),
          loaded.duplicates(),
          loaded.lateEvents(),
          loaded.malformed());

      // Warm-up of both code paths (JIT, page cache), not reported.
      run(bootstrap, work, "warmup-pass", "passthrough", records);
      run(bootstrap, work, "warmup-heap", "hashmap", records);
      List<Double> passRates = new ArrayList<>();
      List<Double> heapRates = new ArrayList<>();
      List<Double> rocksRates = new ArrayList<>();
      long heapPeak = 0;
      long rocksPeak = 0;
      for (int round = 1; round <= rounds; round++) {
        Run pass = run(bootstrap, work, "pass-" + round, "passthrough", records);
        Run heap = run(bootstrap, work, "heap-" + round, "hashmap", records);
        Run rocks =
            skipRocksDb
                ? new Run(Double.NaN, 0)
                : run(bootstrap, work, "rocks-" + round, "rocksdb", records);
        passRates.add(pass.recordsPerSecond);
        heapRates.add(heap.recordsPerSecond);
        rocksRates.add(rocks.recordsPerSecond);
        heapPeak = Math.max(heapPeak, heap.peakStateBytes);
        rocksPeak = Math.max(rocksPeak, rocks.peakStateBytes);
        System.out.printf(
            Locale.ROOT,
            "round %d: pass-through %,.0f rec/s | full job heap %,.0f rec/s (%.2f) | full job"
                + " rocksdb %,.0f rec/s (%.2f)%n",
            round,
            pass.recordsPerSecond,
            heap.recordsPerSecond,
            heap.recordsPerSecond / pass.recordsPerSecond,
            rocks.recordsPerSecond,
            rocks.recordsPerSecond / pass.recordsPerSecond);
      }
      double pass = median(passRates);
      System.out.printf(
          Locale.ROOT,
          "medians: pass-through %,.0f rec/s; heap %,.0f rec/s = %.2f of pass-through (goal >="
              + " 0.5); rocksdb %,.0f rec/s = %.2f%n",
          pass,
          median(heapRates),
          median(heapRates) / pass,
          median(rocksRates),
          median(rocksRates) / pass);
      System.out.printf(
          Locale.ROOT,
          "peak checkpointed state: heap %.1f MB, rocksdb %.1f MB%n",
          heapPeak / 1e6,
          rocksPeak / 1e6);
    }
  }

  private static Run run(String bootstrap, Path checkpoints, String name, String mode, long records)
      throws Exception {
    boolean passThrough = mode.equals("passthrough");
    StreamJobSettings settings =
        StreamJobCommand.parseSettings(
            "--bootstrap-server",
            bootstrap,
            "--events-topic",
            "bench-events",
            "--sessions-topic",
            name + "-sessions",
            "--late-topic",
            name + "-late",
            "--dlq-topic",
            name + "-dlq",
            "--group-id",
            name,
            "--transactional-id-prefix",
            name,
            "--bounded",
            "--idleness",
            "0s",
            "--checkpoint-interval",
            "2s",
            "--checkpoint-dir",
            checkpoints.resolve(name).toString(),
            "--state-backend",
            passThrough ? "hashmap" : mode,
            "--flink-conf",
            "restart-strategy.type=none",
            "--flink-conf",
            "taskmanager.memory.managed.size=512m");
    int restPort = freePort();
    Configuration conf = StreamJobPipeline.flinkConfiguration(settings.runtime());
    conf.set(RestOptions.PORT, restPort);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
    if (passThrough) {
      StreamJobPipeline.eventsSource(env, settings).sinkTo(new DiscardingSink<>()).name("discard");
    } else {
      KafkaWiring.ensureOutputTopics(settings.kafka(), Duration.ofSeconds(10));
      StreamJobPipeline.wire(env, settings);
    }
    JobClient job = env.executeAsync(name);
    CompletableFuture<JobExecutionResult> done = job.getJobExecutionResult();
    long peak = 0;
    while (!done.isDone()) {
      peak = Math.max(peak, checkpointedStateSize(restPort, job));
      try {
        done.get(500, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException stillRunning) {
        // poll again
      }
    }
    JobExecutionResult result = done.get();
    double seconds = result.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0;
    return new Run(records / seconds, peak);
  }

  /** The largest full state size among the job's completed checkpoints so far, via REST. */
  private static long checkpointedStateSize(int restPort, JobClient job) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + restPort
                              + "/jobs/"
                              + job.getJobID()
                              + "/checkpoints"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode max = JSON.readTree(response.body()).path("summary").path("state_size").path("max");
      return max.asLong(0);
    } catch (Exception e) {
      return 0; // the job finished or the endpoint is not up yet
    }
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
