package org.keystonesandbox.labs;

import static org.apache.spark.sql.functions.col;
import static org.keystonesandbox.events.names.PipelineNames.GOLD_TITLE_COUNTRY_DAILY;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_EVENTS;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_SESSIONS;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.gold.GoldJob;
import org.keystonesandbox.batch.gold.JoinStrategy;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.Tables;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.catalog.CatalogFiles;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceGold;
import org.keystonesandbox.verify.LakeContents;

/**
 * Gold's join of the events with the title dimension under each of the pipeline's join strategies,
 * at three shares of the hot title: the join stage's records and time per task from Spark's own
 * task metrics, and gold against the oracle under each.
 */
final class SkewLab implements Lab {
  static final String HOT_TITLE = "t00001";
  static final int EVENTS_PER_SHARE = Integer.getInteger("skew.events", 30_000);
  static final int SHUFFLE_PARTITIONS = Integer.getInteger("skew.partitions", 16);
  static final int SALT_BUCKETS = 8;
  static final int FILES_PER_DAY = 8;
  static final long LAB_SKEW_THRESHOLD = 256L << 10;
  static final Instant FIRST_START = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration SHARE_SPACING = Duration.ofDays(7);
  static final double[] SHARES = {0.05, 0.25, 0.60};

  @Override
  public String name() {
    return "skew";
  }

  @Override
  public String summary() {
    return "gold's title join at a hot title of 5, 25 and 60 %: plain, broadcast, AQE, salted";
  }

  /** One share's events: their event-time range and the namespace gold is rebuilt in. */
  record Share(double share, Instant from, Instant to, LakeSettings lake) {
    String label() {
      return Math.round(share * 100) + " %";
    }

    boolean holds(ViewingEvent e) {
      return e.eventTs() >= from.toEpochMilli() && e.eventTs() < to.toEpochMilli();
    }
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    SparkSession spark = run.spark();
    boolean debug = Boolean.getBoolean("skew.debug");

    report.step(
        "The generator writes three batches of "
            + String.format(Locale.ROOT, "%,d", EVENTS_PER_SHARE)
            + " events a week apart, the hot title "
            + HOT_TITLE
            + " at 5, 25 and 60 %; the chain builds silver and gold");
    List<Share> shares = new ArrayList<>();
    long tp = System.nanoTime();
    Path titles = null;
    for (int i = 0; i < SHARES.length; i++) {
      Instant from = FIRST_START.plus(SHARE_SPACING.multipliedBy(i));
      RunSummary summary =
          run.produce(
              "--count",
              Integer.toString(EVENTS_PER_SHARE),
              "--rate",
              "150",
              "--users",
              "1000",
              "--seed",
              Integer.toString(31 + i),
              "--start",
              from.toString(),
              "--hot-title-share",
              Double.toString(SHARES[i]));
      if (titles == null) {
        titles = summary.truthFile().resolveSibling(CatalogFiles.TITLES_FILE);
      }
      String suffix = String.format(Locale.ROOT, "_hot%02d", Math.round(SHARES[i] * 100));
      LakeSettings base = run.lake();
      LakeSettings lake =
          new LakeSettings(
              base.catalogType(),
              base.warehouse(),
              base.catalogUri(),
              base.namespace() + suffix,
              base.writeMode());
      shares.add(new Share(SHARES[i], from, from.plus(SHARE_SPACING), lake));
    }
    long t0 = System.nanoTime();
    if (debug) System.out.printf("produce %d ms%n", (t0 - tp) / 1_000_000);
    run.chain();
    if (debug) System.out.printf("chain %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    run.checkPipelineExact("after the chain");
    List<ViewingEvent> truth = run.truth();
    List<List<Object>> shareRows = new ArrayList<>();
    for (Share share : shares) {
      List<ViewingEvent> events = truth.stream().filter(share::holds).toList();
      Map<String, Long> byTitle =
          events.stream()
              .collect(Collectors.groupingBy(ViewingEvent::titleId, Collectors.counting()));
      long hot = byTitle.getOrDefault(HOT_TITLE, 0L);
      long nextBiggest =
          byTitle.entrySet().stream()
              .filter(e -> !e.getKey().equals(HOT_TITLE))
              .mapToLong(Map.Entry::getValue)
              .max()
              .orElse(0);
      shareRows.add(
          List.of(
              share.label(),
              share.from().toString().substring(0, 10),
              (long) events.size(),
              hot,
              percent(hot, events.size()),
              percent(nextBiggest, events.size())));
    }
    report.table(
        List.of(
            "hot share asked",
            "from",
            "events",
            HOT_TITLE + " events",
            HOT_TITLE + " share",
            "next biggest title"),
        shareRows);

    report.step(
        "Each share's silver in a namespace of its own, silver_events in "
            + FILES_PER_DAY
            + " files a day");
    for (Share share : shares) {
      Tables.createAll(spark, share.lake());
      Timestamp from = Timestamp.from(share.from());
      Timestamp to = Timestamp.from(share.to());
      spark
          .table(run.table(SILVER_EVENTS))
          .filter(col("event_ts").geq(from).and(col("event_ts").lt(to)))
          .repartition(FILES_PER_DAY)
          .writeTo(share.lake().table(SILVER_EVENTS))
          .option("distribution-mode", "none")
          .append();
      spark.sql(
          "ALTER TABLE "
              + share.lake().table(SILVER_EVENTS)
              + " SET TBLPROPERTIES ('read.split.target-size'='1048576')");
      spark
          .table(run.table(SILVER_SESSIONS))
          .filter(col("session_start").geq(from).and(col("session_start").lt(to)))
          .writeTo(share.lake().table(SILVER_SESSIONS))
          .append();
    }

    if (debug) System.out.printf("copies %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    report.step("Gold rebuilt in each namespace with each join strategy");
    Map<String, String> labSettings = new LinkedHashMap<>();
    labSettings.put("spark.sql.shuffle.partitions", Integer.toString(SHUFFLE_PARTITIONS));
    labSettings.put("spark.sql.adaptive.coalescePartitions.enabled", "false");
    labSettings.put(
        "spark.sql.adaptive.advisoryPartitionSizeInBytes", Long.toString(LAB_SKEW_THRESHOLD));
    List<List<Object>> rows = new ArrayList<>();
    try (AutoCloseable restore = SessionSettings.apply(spark, labSettings);
        StageTasks listener = StageTasks.listen(spark.sparkContext())) {
      for (Share share : shares) {
        List<ViewingEvent> events = truth.stream().filter(share::holds).toList();
        ReferenceGold expected = run.referenceGold(events);
        for (JoinStrategy strategy : JoinStrategy.values()) {
          listener.reset();
          long started = System.nanoTime();
          new GoldJob(spark, share.lake())
              .run(new GoldJob.Settings(titles, strategy, SALT_BUCKETS, LAB_SKEW_THRESHOLD, true));
          long wallMs = (System.nanoTime() - started) / 1_000_000;
          List<StageTasks.Stage> stages = listener.stages();
          if (debug) {
            System.out.printf(
                "  dbg %s %s: %d stages, %d tasks%n",
                share.label(),
                strategy,
                stages.size(),
                stages.stream().mapToInt(x -> x.tasks().size()).sum());
            for (StageTasks.Stage s : stages) {
              if (s.shuffleRecords() < 5000) continue;
              System.out.printf(
                  "  dbg %s %s stage %d: %d tasks, input %d, shuffle read %d recs %d bytes, max/med recs %s, max/med ms %s, aqe %s skew %s%n",
                  share.label(),
                  strategy,
                  s.stageId(),
                  s.tasks().size(),
                  s.inputRecords(),
                  s.shuffleRecords(),
                  s.shuffleBytes(),
                  java.util.Arrays.toString(s.maxAndMedian(StageTasks.Task::shuffleRecords)),
                  java.util.Arrays.toString(s.maxAndMedian(StageTasks.Task::millis)),
                  s.setting("spark.sql.adaptive.enabled"),
                  s.setting("spark.sql.adaptive.skewJoin.enabled"));
            }
          }
          LakeContents contents = new LakeContents(spark, share.lake());
          boolean exact =
              contents.goldTitleCountryDays().equals(expected.titleCountryDays())
                  && contents.goldUserDays().equals(expected.userDays());
          StageTasks.Stage join =
              stages.stream()
                  .filter(s -> s.shuffleRecords() >= events.size())
                  .findFirst()
                  .orElse(null);
          rows.add(
              join == null
                  ? List.of(share.label(), strategy.name(), "-", 0L, 0L, 0L, 0L, 0L, wallMs, exact)
                  : List.of(
                      share.label(),
                      strategy.name(),
                      join.setting("spark.sql.adaptive.skewJoin.enabled"),
                      (long) join.tasks().size(),
                      join.maxAndMedian(StageTasks.Task::shuffleRecords)[0],
                      join.maxAndMedian(StageTasks.Task::shuffleRecords)[1],
                      join.maxAndMedian(StageTasks.Task::millis)[0],
                      join.maxAndMedian(StageTasks.Task::millis)[1],
                      wallMs,
                      exact));
        }
      }
    }
    report.table(
        List.of(
            "share",
            "strategy",
            "skew join",
            "tasks",
            "max recs",
            "median recs",
            "max ms",
            "median ms",
            "wall ms",
            "exact"),
        rows);
    report.check("prototype", true, "");
    Predicate<Object> unused = o -> true;
    unused.test(GOLD_TITLE_COUNTRY_DAILY);
  }

  private static String percent(long part, long whole) {
    return String.format(Locale.ROOT, "%.1f %%", 100.0 * part / Math.max(1, whole));
  }
}
