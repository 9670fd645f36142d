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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.tools.ProducerPerformance;
import org.keystonesandbox.bench.AlternatingBlocks;
import org.keystonesandbox.cli.Folders;
import org.keystonesandbox.ingest.GeneratorCommand;
import org.keystonesandbox.ingest.GeneratorRun;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaBroker;

/**
 * The generator's throughput against Kafka's own {@code ProducerPerformance} on the same broker,
 * with the same record size (the generator's mean), acks, idempotence, compression and batching,
 * and the same topic layout, in alternating blocks ({@link AlternatingBlocks}).
 *
 * <pre>
 * mvn -q install -DskipTests &amp;&amp; mvn -q -pl ingest exec:exec@benchmark
 *     [-Dbench.records=1000000] [-Dbench.blocks=5] [-Dbench.compression=none]
 * </pre>
 *
 * Prints each block and the median ratio generator / ProducerPerformance with its spread (goal: at
 * least 0.9, the lowest block at least 0.8). Set {@code -Dbench.bootstrap=host:port} to use a
 * running broker instead of an in-process one.
 */
public final class GeneratorThroughputBenchmark {

  private static final Pattern PERF_SUMMARY =
      Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\)");

  public static void main(String[] args) throws Exception {
    long records = Long.getLong("bench.records", 1_000_000);
    int blocks = Integer.getInteger("bench.blocks", 5);
    String compression = System.getProperty("bench.compression", "none");
    String external = System.getProperty("bench.bootstrap", "");
    EmbeddedKafkaBroker broker =
        external.isBlank() ? EmbeddedKafkaBroker.builder().build().start() : null;
    String bootstrap = broker != null ? broker.bootstrapServers() : external;
    Path work = Files.createTempDirectory("generator-bench");
    try {
      System.out.printf(
          "broker %s, %,d records per run, %d blocks, compression %s, acks=all, idempotent%n",
          bootstrap, records, blocks, compression);
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
      // A short generator run gives the mean record size ProducerPerformance sends.
      RunSummary probe = generate(common, records / 5, work, "size-probe");
      int size = meanSize(probe);
      long perfRecords = probe.records() * 5;
      System.out.printf("mean record size %d bytes%n", size);
      AtomicInteger runs = new AtomicInteger();
      AlternatingBlocks.Run generator =
          () -> {
            RunSummary run = generate(common, records, work, "gen-" + runs.incrementAndGet());
            return run.records() / (run.elapsed().toNanos() / 1e9);
          };
      AlternatingBlocks.Run producerPerformance =
          () -> perf(bootstrap, "perf-" + runs.incrementAndGet(), perfRecords, size, compression);
      AlternatingBlocks.Result result =
          new AlternatingBlocks(1, blocks, System.out)
              .run("generator", generator, "ProducerPerformance", producerPerformance);
      System.out.println(
          result.line(
              "generator (P1)",
              "records/s",
              "Kafka's ProducerPerformance (same broker, record size, acks, idempotence, batching)",
              "at least 0.9, lowest block at least 0.8"));
    } finally {
      if (broker != null) {
        broker.close();
      }
      Folders.delete(work);
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
    RunSummary summary =
        new GeneratorRun(GeneratorCommand.parseSettings(flags.toArray(String[]::new)), quiet).run();
    Folders.delete(work.resolve(name)); // its ground truth: 250 MB per million
    return summary;
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

  private GeneratorThroughputBenchmark() {}
}
