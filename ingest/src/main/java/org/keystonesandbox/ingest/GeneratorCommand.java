package org.keystonesandbox.ingest;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.keystonesandbox.events.topics.KafkaUnavailableException;
import org.keystonesandbox.ingest.delivery.DeliverySettings;
import org.keystonesandbox.ingest.simulation.WorldSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The event generator's command line: simulated viewers' events into a Kafka topic.
 *
 * <pre>
 * java -jar ingest/target/keystone-ingest.jar --bootstrap-server localhost:9092 --count 100000
 * </pre>
 *
 * Prints a progress line every few seconds to stderr (records/s, unique, late, duplicates,
 * malformed, event time) and a summary at the end to stdout; writes the title catalog, the ground
 * truth and {@code summary.json} to {@code --out-dir}. Exit status: 0 done (or stopped by Ctrl-C
 * with the truth consistent), 1 Kafka failed during the run, 2 bad flags, 3 Kafka unreachable or
 * output not writable.
 */
@Command(
    name = "keystone-ingest",
    mixinStandardHelpOptions = true,
    version = "keystone-ingest 0.1.0",
    sortOptions = false,
    usageHelpWidth = 100,
    description = "Writes simulated viewing events (JSON, key = user_id) into a Kafka topic.",
    footer = {
      "",
      "Durations: 500ms, 30s, 5m, 2h, 7d. Without --count, --duration or --sim-duration the run",
      "goes on until Ctrl-C. Same --seed and knobs (apart from pacing), same records."
    })
public final class GeneratorCommand implements Callable<Integer> {

  static final int EXIT_OK = 0;
  static final int EXIT_KAFKA_FAILED = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_SETUP = 3;

  @Option(
      names = {"-b", "--bootstrap-server"},
      defaultValue = "localhost:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
  String bootstrapServers;

  @Option(
      names = {"-t", "--topic"},
      defaultValue = "viewing-events",
      description = "topic, created if missing (default: ${DEFAULT-VALUE})")
  String topic;

  @Option(
      names = "--partitions",
      defaultValue = "4",
      description = "partitions of a new topic (default: ${DEFAULT-VALUE})")
  int partitions;

  @Option(
      names = "--replication-factor",
      defaultValue = "1",
      description = "replication of a new topic (default: ${DEFAULT-VALUE})")
  short replicationFactor;

  @Option(
      names = "--rate",
      defaultValue = "2000",
      description = "records per second (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(
      names = "--unthrottled",
      description = "send as fast as Kafka takes them (same records as at --rate)")
  boolean unthrottled;

  @Option(
      names = {"-n", "--count"},
      description = "unique events to generate, then stop")
  Long count;

  @Option(
      names = "--duration",
      converter = DurationConverter.class,
      description = "wall-clock time to run, then stop")
  Duration duration;

  @Option(
      names = "--sim-duration",
      converter = DurationConverter.class,
      description = "event time to generate, then stop")
  Duration simDuration;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "random seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--catalog-seed",
      description =
          "seed of the title catalog (default: --seed); lets runs with different seeds share one"
              + " catalog, as the sandbox does when it continues")
  Long catalogSeed;

  @Option(
      names = "--users",
      defaultValue = "5000",
      description = "viewers (default: ${DEFAULT-VALUE})")
  int users;

  @Option(
      names = "--titles",
      defaultValue = "500",
      description = "titles in the catalog (default: ${DEFAULT-VALUE})")
  int titles;

  @Option(
      names = "--start",
      defaultValue = "2026-01-01T00:00:00Z",
      description = "event time at which the simulated clock starts (default: ${DEFAULT-VALUE})")
  Instant start;

  @Option(
      names = "--speedup",
      defaultValue = "720",
      description =
          "simulated seconds per wall second at --rate; sets how busy the world is (default:"
              + " ${DEFAULT-VALUE}, a day of event time in two minutes)")
  double speedup;

  @Option(
      names = "--heartbeat",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "heartbeat interval while playing (default: ${DEFAULT-VALUE})")
  Duration heartbeat;

  @Option(
      names = "--user-skew",
      defaultValue = "0.8",
      description = "Zipf exponent of user activity, 0 = uniform (default: ${DEFAULT-VALUE})")
  double userSkew;

  @Option(
      names = "--title-skew",
      defaultValue = "1.0",
      description = "Zipf exponent of title popularity (default: ${DEFAULT-VALUE})")
  double titleSkew;

  @Option(
      names = "--hot-title-share",
      defaultValue = "0.25",
      description = "share of events for the hot title t00001 (default: ${DEFAULT-VALUE})")
  double hotTitleShare;

  @Option(
      names = "--duplicate-rate",
      defaultValue = "0.02",
      description = "share of events sent twice (default: ${DEFAULT-VALUE})")
  double duplicateRate;

  @Option(
      names = "--duplicate-max-delay",
      defaultValue = "1h",
      converter = DurationConverter.class,
      description = "the second copy comes up to this much later (default: ${DEFAULT-VALUE})")
  Duration duplicateMaxDelay;

  @Option(
      names = "--late-rate",
      defaultValue = "0.01",
      description = "share of events that arrive late (default: ${DEFAULT-VALUE})")
  double lateRate;

  @Option(
      names = "--min-lateness",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description = "shortest lateness (default: ${DEFAULT-VALUE})")
  Duration minLateness;

  @Option(
      names = "--max-lateness",
      defaultValue = "2d",
      converter = DurationConverter.class,
      description =
          "longest lateness, at most 7d; log-uniform in between (default: ${DEFAULT-VALUE})")
  Duration maxLateness;

  @Option(
      names = "--jitter",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "other events arrive up to this much after they happen (default: ${DEFAULT-VALUE})")
  Duration jitter;

  @Option(
      names = "--malformed-rate",
      defaultValue = "0.002",
      description = "share of events followed by a corrupted copy (default: ${DEFAULT-VALUE})")
  double malformedRate;

  @Option(
      names = "--compression",
      defaultValue = "lz4",
      description =
          "producer compression: none, gzip, snappy, lz4, zstd (default: ${DEFAULT-VALUE})")
  String compression;

  @Option(
      names = "--linger-ms",
      defaultValue = "20",
      description = "producer linger.ms (default: ${DEFAULT-VALUE})")
  int lingerMs;

  @Option(
      names = "--batch-size",
      defaultValue = "262144",
      description = "producer batch.size in bytes (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(
      names = "--producer-property",
      paramLabel = "KEY=VALUE",
      description = "any other producer setting (repeatable)")
  Map<String, String> producerProperties = new LinkedHashMap<>();

  @Option(
      names = "--connect-timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "give up on an unreachable broker after this (default: ${DEFAULT-VALUE})")
  Duration connectTimeout;

  @Option(
      names = "--out-dir",
      defaultValue = "data/generator",
      description = "catalog, ground truth and summary go here (default: ${DEFAULT-VALUE})")
  Path outDir;

  @Option(names = "--overwrite", description = "replace an earlier run's files in --out-dir")
  boolean overwrite;

  @Option(
      names = "--progress-interval",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "how often to print progress (default: ${DEFAULT-VALUE})")
  Duration progressInterval;

  private final PrintStream out;
  private final PrintStream err;
  private volatile GeneratorRun activeRun;

  GeneratorCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "classpath:ingest-log4j2.xml");
    }
    GeneratorCommand command = new GeneratorCommand(System.out, System.err);
    CountDownLatch finished = new CountDownLatch(1);
    boolean[] shuttingDown = {false};
    Thread hook =
        new Thread(
            () -> {
              if (finished.getCount() == 0) {
                return; // the ordinary exit after a finished run
              }
              shuttingDown[0] = true;
              GeneratorRun run = command.activeRun;
              if (run != null) {
                System.err.println("stopping: flushing what was sent...");
                run.requestStop();
              }
              awaitQuietly(finished);
            },
            "keystone-ingest-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    int code;
    try {
      code = command.commandLine().execute(args);
    } finally {
      finished.countDown();
    }
    if (!shuttingDown[0]) {
      System.exit(code);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A command line with this project's one-line error handling. */
  CommandLine commandLine() {
    CommandLine cli = new CommandLine(this);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler(
        (ex, args) -> {
          err.println("keystone-ingest: " + ex.getMessage() + " (see --help)");
          return EXIT_USAGE;
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof IllegalArgumentException) {
            err.println("keystone-ingest: " + ex.getMessage() + " (see --help)");
            return EXIT_USAGE;
          }
          if (ex instanceof KafkaUnavailableException || ex instanceof IOException) {
            err.println("keystone-ingest: " + ex.getMessage());
            return EXIT_SETUP;
          }
          throw ex;
        });
    return cli;
  }

  @Override
  public Integer call() throws IOException {
    GeneratorRun run = new GeneratorRun(settings(), err);
    activeRun = run;
    RunSummary summary = run.run();
    out.print(summary.toText());
    return summary.complete() ? EXIT_OK : EXIT_KAFKA_FAILED;
  }

  /** The settings the flags describe; throws {@link IllegalArgumentException} on bad values. */
  GeneratorSettings settings() {
    WorldSettings world =
        new WorldSettings(
            seed,
            catalogSeed == null ? seed : catalogSeed,
            users,
            titles,
            start,
            rate / positive(speedup, "speedup"),
            heartbeat,
            userSkew,
            titleSkew,
            hotTitleShare);
    DeliverySettings delivery =
        new DeliverySettings(
            duplicateRate,
            duplicateMaxDelay,
            lateRate,
            minLateness,
            maxLateness,
            jitter,
            malformedRate);
    Map<String, String> producer = new HashMap<>();
    producer.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    producer.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs));
    producer.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(batchSize));
    producer.putAll(producerProperties);
    KafkaSettings kafka =
        new KafkaSettings(
            bootstrapServers, topic, partitions, replicationFactor, connectTimeout, producer);
    RunLimits limits =
        new RunLimits(
            count == null ? Long.MAX_VALUE : count, duration, simDuration, rate, unthrottled);
    return new GeneratorSettings(
        world, delivery, kafka, limits, new OutputSettings(outDir, overwrite, progressInterval));
  }

  private static double positive(double value, String name) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return value;
  }

  /** Parses flags into settings, as the command does: for tests and the embedded launcher. */
  public static GeneratorSettings parseSettings(String... args) {
    GeneratorCommand command = new GeneratorCommand(System.out, System.err);
    new CommandLine(command).parseArgs(args);
    return command.settings();
  }
}
