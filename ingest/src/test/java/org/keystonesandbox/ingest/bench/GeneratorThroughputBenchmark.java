package org.keystonesandbox.ingest.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.tools.ProducerPerformance;
import org.keystonesandbox.ingest.GeneratorCommand;
import org.keystonesandbox.ingest.GeneratorRun;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaBroker;

/**
 * The generator's throughput against Kafka's own {@code ProducerPerformance} on the same broker,
 * with the same record size (the generator's mean), acks, idempotence, compression and batching,
 * and the same topic layout, alternating the two so that neither profits from warm-up.
 *
 * <pre>
 * mvn -q install -DskipTests &amp;&amp; mvn -q -pl ingest exec:exec@benchmark
 *     [-Dbench.records=1000000] [-Dbench.rounds=3] [-Dbench.compression=none]
 * </pre>
 *
 * Prints each run and the ratio generator / ProducerPerformance of the median rates (goal: at least
 * 0.9). Set {@code -Dbench.bootstrap=host:port} to use a running broker instead of an in-process
 * one.
 */
public final class GeneratorThroughputBenchmark {

  private static final Pattern PERF_SUMMARY =
      Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\)");

  public static void main(String[] args) throws Exception {
    long records = Long.getLong("bench.records", 1_000_000);
    int rounds = Integer.getInteger("bench.rounds", 3);
    String compression = System.getProperty("bench.compression", "none");
    String external = System.getProperty("bench.bootstrap", "");
    EmbeddedKafkaBroker broker =
        external.isBlank() ? EmbeddedKafkaBroker.builder().build().start() : null;
    String bootstrap = broker != null ? broker.bootstrapServers() : external;
    Path work = Files.createTempDirectory("generator-bench");
    try {
      System.out.printf(
          "broker %s, %,d records per run, %d rounds, compression %s, acks=all, idempotent%n",
          bootstrap, records, rounds, compression);
      String[] common = {
        "--bootstrap-server",
        bootstrap,
        "--partitions",
        "4",
        "--compression",
        compression,
        "--linger-ms",
        "20",
        "--batch-size",
        "262144"
      };
      // Warm-up of both code paths, not reported.
      RunSummary warm = generate(common, records / 5, work, "warmup-gen");
      perf(bootstrap, "warmup-perf", warm.records(), meanSize(warm), compression);

      List<Double> generator = new ArrayList<>();
      List<Double> kafkaPerf = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        RunSummary run = generate(common, records, work, "gen-" + round);
        double genRate = run.records() / (run.elapsed().toNanos() / 1e9);
        int size = meanSize(run);
        double perfRate = perf(bootstrap, "perf-" + round, run.records(), size, compression);
        generator.add(genRate);
        kafkaPerf.add(perfRate);
        System.out.printf(
            Locale.ROOT,
            "round %d: generator %,.0f records/s (%.1f MB/s), ProducerPerformance %,.0f records/s"
                + " (%d-byte records): ratio %.2f%n",
            round,
            genRate,
            genRate * size / 1e6,
            perfRate,
            size,
            genRate / perfRate);
      }
      double ratio = median(generator) / median(kafkaPerf);
      System.out.printf(
          Locale.ROOT,
          "RESULT generator %,.0f records/s vs ProducerPerformance %,.0f records/s (medians):"
              + " ratio %.2f (goal >= 0.90)%n",
          median(generator),
          median(kafkaPerf),
          ratio);
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  private static RunSummary generate(String[] common, long events, Path work, String name)
      throws IOException {
    List<String> flags = new ArrayList<>(List.of(common));
    flags.addAll(
        List.of(
            "--topic",
            name,
            "--count",
            Long.toString(events),
            "--unthrottled",
            "--out-dir",
            work.resolve(name).toString(),
            "--progress-interval",
            "1h"));
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    return new GeneratorRun(GeneratorCommand.parseSettings(flags.toArray(String[]::new)), quiet)
        .run();
  }

  private static int meanSize(RunSummary run) {
    return (int) Math.round(run.bytes() / (double) run.records());
  }

  /** Runs Kafka's tool in this JVM and reads the rate from its closing line. */
  private static double perf(
      String bootstrap, String topic, long records, int recordSize, String compression)
      throws Exception {
    org.keystonesandbox.events.topics.TopicProvisioner.ensureTopic(
        bootstrap, topic, 4, (short) 1, java.time.Duration.ofSeconds(10));
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ProducerPerformance.main(
          new String[] {
            "--topic",
            topic,
            "--num-records",
            Long.toString(records),
            "--record-size",
            Integer.toString(recordSize),
            "--throughput",
            "-1",
            "--producer-props",
            "bootstrap.servers=" + bootstrap,
            "acks=all",
            "enable.idempotence=true",
            "compression.type=" + compression,
            "linger.ms=20",
            "batch.size=262144"
          });
    } finally {
      System.setOut(original);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    Matcher last = null;
    Matcher m = PERF_SUMMARY.matcher(output);
    while (m.find()) {
      last = PERF_SUMMARY.matcher(m.group());
      last.matches();
    }
    if (last == null) {
      throw new IllegalStateException("no summary from ProducerPerformance:\n" + output);
    }
    return Double.parseDouble(last.group(2));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private GeneratorThroughputBenchmark() {}
}
