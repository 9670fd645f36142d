package org.keystonesandbox.batch.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.batch.SparkLakeTest;
import org.keystonesandbox.batch.bronze.BronzeJob;
import org.keystonesandbox.batch.chain.ChainRunner;
import org.keystonesandbox.batch.gold.GoldJob;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.maintenance.MaintenanceJob;
import org.keystonesandbox.batch.silver.SilverJob;
import org.keystonesandbox.events.RejectReason;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.catalog.CatalogFiles;
import org.keystonesandbox.events.catalog.Title;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.events.truth.GroundTruthReader;
import org.keystonesandbox.ingest.GeneratorCommand;
import org.keystonesandbox.ingest.GeneratorRun;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceGold;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;

/**
 * The generator's stream through a real broker into bronze, silver and gold, run incrementally
 * while the generator is still producing (so later runs repair days earlier runs wrote), then
 * compared with the reference computations from the generator's ground truth, exactly. Subclasses
 * say where the broker is.
 */
abstract class BatchPipelineAgainstBrokerContract extends SparkLakeTest {
  static final int EVENTS = 30_000;
  static final Duration GAP = Duration.ofMinutes(30);

  abstract String bootstrapServers();

  private RunSummary generate(String topic, Path outDir) throws IOException {
    RunSummary summary =
        new GeneratorRun(
                GeneratorCommand.parseSettings(
                    "--bootstrap-server", bootstrapServers(),
                    "--topic", topic,
                    "--count", Integer.toString(EVENTS),
                    "--rate", "1500",
                    "--duplicate-rate", "0.03",
                    "--late-rate", "0.02",
                    "--malformed-rate", "0.005",
                    "--out-dir", outDir.toString(),
                    "--progress-interval", "1h"),
                System.err)
            .run();
    assertThat(summary.complete()).as(summary.endedBy()).isTrue();
    assertThat(summary.duplicates()).isPositive();
    assertThat(summary.lateEvents()).isPositive();
    assertThat(summary.malformed()).isPositive();
    return summary;
  }

  @Test
  void goldAndSilverEqualTheReferenceAfterIncrementalRunsWithEveryDeliveryFault(
      @TempDir Path outDir) throws Exception {
    String topic = "batch-" + getClass().getSimpleName();
    LakeSettings lake = freshLake();
    CompletableFuture<RunSummary> generator =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return generate(topic, outDir);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    Path titles = outDir.resolve(CatalogFiles.TITLES_FILE);
    Path runLog = outDir.resolve("runs.jsonl");
    int incrementalRuns = 0;
    while (!generator.isDone() || incrementalRuns == 0) {
      Thread.sleep(2_000);
      if (titles.toFile().isFile()) {
        runChain(lake, topic, titles, runLog);
        incrementalRuns++;
      }
    }
    RunSummary summary = generator.join();
    runChain(lake, topic, titles, runLog);

    List<ViewingEvent> truth = new ArrayList<>();
    try (GroundTruthReader reader = GroundTruthReader.open(summary.truthFile())) {
      reader.forEach(truth::add);
    }
    assertThat(truth).hasSize(EVENTS);
    assertThat(count(lake, PipelineNames.BRONZE_EVENTS))
        .isEqualTo(summary.uniqueEvents() + summary.duplicates());
    assertThat(count(lake, PipelineNames.SILVER_EVENTS)).isEqualTo(summary.uniqueEvents());
    assertThat(rejectReasons(lake)).isEqualTo(expectedReasons(summary));
    assertThat(silverSessions(lake)).containsExactlyElementsOf(ReferenceSessions.of(truth, GAP));

    Map<String, Long> runtimes =
        CatalogFiles.readTitles(titles).stream()
            .collect(Collectors.toMap(Title::titleId, Title::runtimeMs));
    ReferenceGold expected = ReferenceGold.of(truth, runtimes, GAP);
    assertThat(goldTitleCountry(lake))
        .hasSameSizeAs(expected.titleCountryDays())
        .containsExactlyElementsOf(expected.titleCountryDays());
    assertThat(goldUserDays(lake)).containsExactlyElementsOf(expected.userDays());
    assertThat(Files.readAllLines(runLog)).hasSize(3 * (incrementalRuns + 1));
    assertThat(descriptions)
        .as("every Spark job of the chain is named after its run and stage")
        .isNotEmpty()
        .allSatisfy(d -> assertThat(d).matches("run \\d+ (bronze|silver|gold)\\b.*"))
        .anySatisfy(d -> assertThat(d).matches("run \\d+ gold gold: .*"));
    System.err.printf(
        "batch IT: %d incremental runs while generating, %d gold rows checked%n",
        incrementalRuns, expected.titleCountryDays().size() + expected.userDays().size());
  }

  /** The descriptions of the Spark jobs the chain's runs started, as Spark's UI shows them. */
  private final List<String> descriptions = new CopyOnWriteArrayList<>();

  /** One run of the chain (bronze, silver, gold); it must succeed at the first attempt. */
  private void runChain(LakeSettings lake, String topic, Path titles, Path runLog)
      throws Exception {
    SparkListener jobs =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart job) {
            descriptions.add(String.valueOf(job.properties().getProperty("spark.job.description")));
          }
        };
    spark.sparkContext().addSparkListener(jobs);
    ChainRunner.Outcome outcome;
    try {
      outcome =
          new ChainRunner(
                  spark,
                  lake,
                  new BronzeJob.Settings(bootstrapServers(), topic),
                  SilverJob.Settings.DEFAULTS,
                  new GoldJob.Settings(titles),
                  MaintenanceJob.Settings.DEFAULTS,
                  new ChainRunner.Settings(Duration.ZERO, 1, 1, Duration.ZERO, 0, runLog),
                  new PrintWriter(System.err, true))
              .run();
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(jobs);
    }
    assertThat(outcome.failedRuns()).isZero();
  }

  private long count(LakeSettings lake, String table) {
    return spark.table(lake.table(table)).count();
  }

  private Map<RejectReason, Long> rejectReasons(LakeSettings lake) {
    Map<RejectReason, Long> reasons = new EnumMap<>(RejectReason.class);
    for (Row row :
        spark
            .sql(
                "SELECT reject_reason, count(*) FROM "
                    + lake.table(PipelineNames.BRONZE_QUARANTINE)
                    + " GROUP BY reject_reason")
            .collectAsList()) {
      reasons.put(RejectReason.valueOf(row.getString(0)), row.getLong(1));
    }
    return reasons;
  }

  private static Map<RejectReason, Long> expectedReasons(RunSummary summary) {
    Map<RejectReason, Long> expected = new EnumMap<>(RejectReason.class);
    summary
        .malformedByKind()
        .forEach((kind, n) -> expected.merge(kind.expectedReason(), n, Long::sum));
    return expected;
  }

  private List<ReferenceSession> silverSessions(LakeSettings lake) {
    return spark
        .sql(
            "SELECT user_id, session_start, session_end, events, watch_ms, titles FROM "
                + lake.table(PipelineNames.SILVER_SESSIONS)
                + " ORDER BY user_id, session_start")
        .collectAsList()
        .stream()
        .map(
            r ->
                new ReferenceSession(
                    r.getString(0),
                    r.getTimestamp(1).getTime(),
                    r.getTimestamp(2).getTime(),
                    (int) r.getLong(3),
                    r.getLong(4),
                    r.<String>getList(5)))
        .toList();
  }

  private List<ReferenceGold.TitleCountryDay> goldTitleCountry(LakeSettings lake) {
    return spark
        .sql(
            "SELECT day, title_id, country, starts, unique_viewers, watch_ms, completions,"
                + " completion_rate, sessions FROM "
                + lake.table(PipelineNames.GOLD_TITLE_COUNTRY_DAILY)
                + " ORDER BY day, title_id, country")
        .collectAsList()
        .stream()
        .map(
            r ->
                new ReferenceGold.TitleCountryDay(
                    r.getDate(0).toLocalDate(),
                    r.getString(1),
                    r.getString(2),
                    r.getLong(3),
                    r.getLong(4),
                    r.getLong(5),
                    r.getLong(6),
                    r.isNullAt(7) ? null : r.getDouble(7),
                    r.getLong(8)))
        .toList();
  }

  private List<ReferenceGold.UserDay> goldUserDays(LakeSettings lake) {
    return spark
        .sql(
            "SELECT day, user_id, country, sessions, events, watch_ms, titles FROM "
                + lake.table(PipelineNames.GOLD_USER_DAILY)
                + " ORDER BY day, user_id, country")
        .collectAsList()
        .stream()
        .map(
            r ->
                new ReferenceGold.UserDay(
                    r.getDate(0).toLocalDate(),
                    r.getString(1),
                    r.getString(2),
                    r.getLong(3),
                    r.getLong(4),
                    r.getLong(5),
                    r.getLong(6)))
        .toList();
  }
}
