package org.keystonesandbox.verify;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.cli.LakeOptions;
import org.keystonesandbox.cli.BootstrapServerOption;
import org.keystonesandbox.cli.CommandLines;
import org.keystonesandbox.cli.CommandMain;
import org.keystonesandbox.cli.Defaults;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.cli.StreamTopicsOptions;
import org.keystonesandbox.events.catalog.Title;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.verify.report.Check;
import org.keystonesandbox.verify.report.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code java -jar verify/target/keystone-verify.jar [flags]}: compares, stage by stage, the
 * generator's ground truth with the Kafka topic, bronze, silver and gold, and the Flink job's
 * committed sessions with the sessions the events it accepted make, then explains where the
 * real-time sessions differ from the batch ones. Prints the report and writes it as JSON for the
 * status view.
 *
 * <p>Exit codes: 0 every comparison equal; 1 a mismatch; 2 a bad flag; 3 Kafka unreachable; 4 a
 * stage has not caught up yet (with {@code --wait}: not within the wait).
 */
@Command(
    name = "keystone-verify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Verifies every stage of the pipeline against the generator's ground truth.",
    footer = ExitCodes.HELP_FOOTER)
public final class VerifyCommand implements Callable<Integer> {
  static final String NAME = "keystone-verify";
  private static final int PAUSE_FACTOR_AFTER_PASS = 6;

  @Option(
      names = "--generator-dir",
      defaultValue = Defaults.GENERATOR_DIR,
      description =
          "the generator's --out-dir, or a folder of run-* folders (default: ${DEFAULT-VALUE})")
  Path generatorDir;

  @Mixin BootstrapServerOption kafkaServers;

  @Mixin StreamTopicsOptions topics;

  @Option(
      names = "--stream-group",
      defaultValue = PipelineNames.STREAM_JOB_GROUP,
      description =
          "the stream job's consumer group, whose committed offsets say how far it got (default: ${DEFAULT-VALUE})")
  String streamGroup;

  @Option(names = "--no-stream", description = "leave the stream job out (when it does not run)")
  boolean noStream;

  @Option(names = "--no-lake", description = "leave the batch layer out (when it does not run)")
  boolean noLake;

  @Option(
      names = "--session-gap",
      defaultValue = "30m",
      description = "as the jobs run with (default: ${DEFAULT-VALUE})")
  Duration gap;

  @Option(
      names = "--allowed-lateness",
      defaultValue = "30m",
      description =
          "as the stream job runs with: every late event must be later than this"
              + " (default: ${DEFAULT-VALUE})")
  Duration allowedLateness;

  @Option(
      names = "--out-of-orderness",
      defaultValue = "1m",
      description =
          "the stream job's watermark delay, to tell its open sessions (default: ${DEFAULT-VALUE})")
  Duration outOfOrderness;

  @Option(
      names = "--report",
      defaultValue = Defaults.VERIFY_REPORT,
      description = "where to write the JSON report (default: ${DEFAULT-VALUE})")
  Path reportFile;

  @Option(
      names = "--wait",
      defaultValue = "0s",
      description =
          "while a stage has not caught up, check again until this much time has passed (default: ${DEFAULT-VALUE})")
  Duration wait;

  @Option(
      names = "--every",
      defaultValue = "10s",
      description = "pause between checks while waiting or watching (default: ${DEFAULT-VALUE})")
  Duration every;

  @Option(
      names = "--watch",
      description =
          "keep verifying until stopped, every --every (six times that after a PASS): the compose"
              + " stack's verifier")
  boolean watch;

  @Option(
      names = "--kafka-timeout",
      defaultValue = "15s",
      description = "how long to try to reach Kafka (default: ${DEFAULT-VALUE})")
  Duration kafkaTimeout;

  @Mixin LakeOptions lake;

  private final PrintStream out;

  VerifyCommand(PrintStream out) {
    this.out = out;
  }

  /** The command's {@code main} and, for tests, its command line. */
  static final CommandMain MAIN =
      new CommandMain(
          NAME,
          "verification could not run",
          "batch-job-log4j2.xml",
          (out, err) -> new VerifyCommand(out));

  public static void main(String[] args) {
    MAIN.run(args);
  }

  @Override
  public Integer call() throws InterruptedException {
    CommandLines.validate(lake::settings);
    try (KafkaContents kafka = new KafkaContents(kafkaServers.bootstrapServers(), kafkaTimeout)) {
      Instant deadline = Instant.now().plus(wait);
      while (true) {
        Report report = verifyOnce(kafka);
        report.writeJson(reportFile);
        boolean notReady = report.verdict() == Check.Outcome.NOT_READY;
        if (watch || (notReady && Instant.now().isBefore(deadline))) {
          out.printf("%s %s: %s%n", Instant.now(), NAME, firstOpenPoint(report));
          // Once everything verified, check less often: a verification takes a core for seconds.
          boolean passed = report.verdict() == Check.Outcome.PASS;
          Thread.sleep(every.toMillis() * (passed ? PAUSE_FACTOR_AFTER_PASS : 1));
          continue;
        }
        out.print(report.text());
        return switch (report.verdict()) {
          case PASS, INFO -> ExitCodes.OK;
          case FAIL -> ExitCodes.FAILED;
          case NOT_READY -> ExitCodes.NOT_READY;
        };
      }
    } finally {
      if (streamOutputs != null) {
        streamOutputs.close();
        streamOutputs = null;
      }
      if (spark != null) {
        spark.stop();
      }
    }
  }

  private static String firstOpenPoint(Report report) {
    return report.checks().stream()
        .filter(c -> c.outcome() != Check.Outcome.PASS && c.outcome() != Check.Outcome.INFO)
        .findFirst()
        .map(c -> c.outcome() + " " + c.stage() + ": " + c.name() + " " + c.details())
        .orElse(report.verdict() + " (" + report.checks().size() + " checks)");
  }

  /**
   * Started on first need: until the generator has finished and Kafka holds its records there is
   * nothing to read from the lake, and a Spark session would take CPU the pipeline needs.
   */
  private SparkSession spark;

  private SparkSession spark() {
    if (spark == null) {
      spark = lake.session(NAME);
    }
    return spark;
  }

  Report verifyOnce(KafkaContents kafka) {
    long started = System.nanoTime();
    GeneratorRuns runs = GeneratorRuns.in(generatorDir);
    boolean finished = runs.running().isEmpty() && !runs.finished().isEmpty();
    Map<String, Long> runtimes =
        finished
            ? runs.titles().stream().collect(Collectors.toMap(Title::titleId, Title::runtimeMs))
            : Map.of();
    Verification.Expected expected =
        new Verification.Expected(
            runs.finished().size(),
            runs.running().stream().map(Path::toString).toList(),
            runs.finished().stream()
                .filter(r -> !r.complete())
                .map(r -> r.dir().toString())
                .toList(),
            runs.records(),
            runs.uniqueEvents(),
            runs.duplicates(),
            runs.malformed(),
            finished ? runs.truth() : List.of(),
            runtimes);
    Map<Integer, Long> end = kafka.endOffsets(topics.events());
    boolean topicComplete =
        finished && end.values().stream().mapToLong(Long::longValue).sum() == runs.records();
    Verification.Lake lakeSeen = null;
    if (topicComplete && !noLake) {
      LakeContents tables = new LakeContents(spark(), lake.settings());
      lakeSeen = tables.exists() ? readLake(tables, end) : null;
    }
    Verification.Stream stream = noStream || !finished ? null : readStream(kafka);
    List<Check> checks =
        Verification.run(
            expected,
            kafka.startOffsets(topics.events()),
            end,
            lakeSeen,
            stream,
            new Verification.StreamSettings(gap, outOfOrderness, allowedLateness),
            !noLake);
    return Report.of(Instant.now(), (System.nanoTime() - started) / 1e9, checks);
  }

  /** Reads only as far as the stages have caught up: the rest would not be compared anyway. */
  private static Verification.Lake readLake(LakeContents tables, Map<Integer, Long> end) {
    Map<Integer, Long> bronzeOffsets = tables.bronzeOffsets();
    boolean bronzeDone = bronzeOffsets.equals(end);
    boolean silverDone = bronzeDone && tables.silverCaughtUp();
    boolean goldDone = silverDone && tables.goldCaughtUp();
    return new Verification.Lake(
        bronzeOffsets,
        bronzeDone ? tables.rows(PipelineNames.BRONZE_EVENTS) : 0,
        bronzeDone ? tables.rejectReasons() : Map.of(),
        silverDone,
        silverDone ? tables.silverEventIds() : Set.of(),
        silverDone ? tables.silverSessions() : List.of(),
        goldDone,
        goldDone ? tables.goldTitleCountryDays() : List.of(),
        goldDone ? tables.goldUserDays() : List.of(),
        bronzeDone ? tables.maxEventTimeByPartition() : Map.of(),
        bronzeDone ? tables.firstCopiesOfRepeatedEvents() : Map.of(),
        silverDone ? tables.beyondRepairHorizonIds() : Set.of());
  }

  /** Kept across checks (watching, or waiting until ready): each reads only what is new. */
  private FollowedStreamOutputs streamOutputs;

  private Verification.Stream readStream(KafkaContents kafka) {
    if (streamOutputs == null) {
      streamOutputs =
          new FollowedStreamOutputs(kafka, topics.deadLetters(), topics.late(), topics.sessions());
    }
    Map<Integer, Long> committed = kafka.committedOffsets(streamGroup, topics.events());
    streamOutputs.readNew();
    return new Verification.Stream(
        committed,
        streamOutputs.deadLetters(),
        streamOutputs.lateEvents(),
        streamOutputs.sessions());
  }
}
