package org.keystonesandbox.batch.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.metrics.source.CodegenMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.bronze.BronzeJob;
import org.keystonesandbox.batch.gold.GoldJob;
import org.keystonesandbox.batch.gold.JoinStrategy;
import org.keystonesandbox.batch.lake.Lake;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.Tables;
import org.keystonesandbox.batch.silver.SilverJob;
import org.keystonesandbox.bench.AlternatingBlocks;
import org.keystonesandbox.cli.Folders;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.ViewingEventJson;
import org.keystonesandbox.events.catalog.CatalogFiles;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaBroker;

/**
 * The batch layer's benchmark, in one JVM: an in-process broker loaded by the generator with {@code
 * bench.events} unique events over about 30 days of event time (hot title at 35 %), then bronze; a
 * plain full read of bronze against silver; a late batch ({@code bench.lateShare} of the events,
 * new ids, on 3 consecutive days) repaired incrementally against a full rebuild of silver and gold,
 * in alternating blocks on the same input; and gold under each join strategy, with the task-time
 * spread of its slowest stage.
 *
 * <pre>
 * mvn -q install -DskipTests
 * mvn -q -pl batch-job exec:exec@benchmark [-Dbench.events=5000000]
 * </pre>
 */
public final class BatchBenchmark {
  public static void main(String[] args) throws Exception {
    long events = Long.getLong("bench.events", 5_000_000);
    double lateShare = Double.parseDouble(System.getProperty("bench.lateShare", "0.01"));
    int blocks = Integer.getInteger("bench.blocks", 3);
    Path work = Files.createTempDirectory("batch-bench-");
    try (EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.builder().dataDir(work.resolve("kafka")).build().start()) {
      String bootstrap = broker.bootstrapServers();
      Path out = work.resolve("generator");
      long started = System.nanoTime();
      RunSummary summary =
          BenchEvents.generate(bootstrap, events, out, "--hot-title-share", "0.35");
      System.out.printf(
          "generated %,d records (%,d unique events) in %.1f s%n",
          summary.records(), summary.uniqueEvents(), seconds(started));

      LakeSettings lake = LakeSettings.local(work.resolve("lake"));
      SparkSession spark = Lake.session(lake, "batch-benchmark", "local[*]", 4040, 8);
      TaskSpread tasks = new TaskSpread();
      spark.sparkContext().addSparkListener(tasks);
      Path titles = out.resolve(CatalogFiles.TITLES_FILE);
      GoldJob.Settings gold = new GoldJob.Settings(titles);
      SilverJob silver = new SilverJob(spark, lake);

      double bronze =
          time(
              () ->
                  new BronzeJob(spark, lake)
                      .run(new BronzeJob.Settings(bootstrap, PipelineNames.EVENTS_TOPIC)));
      System.out.printf("bronze: %.1f s%n", bronze);
      Callable<Object> plainRead =
          () -> {
            spark
                .table(lake.table(PipelineNames.BRONZE_EVENTS))
                .drop("payload", "kafka_timestamp")
                .write()
                .format("noop")
                .mode("overwrite")
                .save();
            return null;
          };
      double scan = time(plainRead);
      double silverFirst = time(() -> silver.run(SilverJob.Settings.DEFAULTS));
      double goldFirst = time(() -> new GoldJob(spark, lake).run(gold));
      List<LocalDate> days = days(spark, lake);
      System.out.printf(
          "event days: %d (%s .. %s)%n", days.size(), days.get(0), days.get(days.size() - 1));
      System.out.printf(
          "silver (first run, all days) %.1f s vs plain full read of bronze %.1f s = %.1fx%n",
          silverFirst, scan, silverFirst / scan);
      System.out.printf("gold (first run, all days, broadcast join) %.1f s%n", goldFirst);

      int middle = Math.max(1, days.size() / 2);
      List<LocalDate> lateDays = days.subList(middle - 1, Math.min(days.size(), middle + 2));
      long lateEvents = Math.round(summary.uniqueEvents() * lateShare);
      produceLateBatch(spark, lake, bootstrap, lateDays, lateEvents);
      double lateBronze =
          time(
              () ->
                  new BronzeJob(spark, lake)
                      .run(new BronzeJob.Settings(bootstrap, PipelineNames.EVENTS_TOPIC)));
      // The late days lie about two weeks before the newest event: past the default 7-day repair
      // horizon, silver would set them aside instead of repairing them. The benchmark measures
      // the repair, so its horizon covers the whole month.
      SilverJob.Settings repairAll =
          new SilverJob.Settings(SilverJob.Settings.DEFAULTS.gap(), false, Duration.ofDays(40));
      GoldJob.Settings goldFull =
          new GoldJob.Settings(titles, JoinStrategy.BROADCAST, 8, 4L << 20, true);
      SilverJob.Settings silverRebuild =
          new SilverJob.Settings(SilverJob.Settings.DEFAULTS.gap(), true);
      System.out.printf(
          "late batch: %,d events on %s (bronze %.1f s)%n", lateEvents, lateDays, lateBronze);
      // Every run starts from the lake as bronze left it: silver and gold are set back to their
      // snapshots from before the first run, so that each repair repairs the same late batch.
      LakeRollback beforeRepair = LakeRollback.of(spark, lake, DOWNSTREAM_OF_BRONZE);
      Callable<Double> repairRun =
          fromTheLake(
              "repair",
              beforeRepair,
              () -> checkRepaired(silver.run(repairAll), lateDays),
              () -> new GoldJob(spark, lake).run(gold));
      Callable<Double> rebuildRun =
          fromTheLake(
              "rebuild",
              beforeRepair,
              () -> silver.run(silverRebuild),
              () -> new GoldJob(spark, lake).run(goldFull));
      repairRun.call();
      LakeRollback repaired = LakeRollback.of(spark, lake, COMPARED);
      rebuildRun.call();
      for (String table : COMPARED) {
        Dataset<Row> rebuilt = spark.table(lake.table(table));
        Dataset<Row> repairedRows = repaired.rowsAsNoted(table);
        if (!repairedRows.exceptAll(rebuilt).isEmpty()
            || !rebuilt.exceptAll(repairedRows).isEmpty()) {
          throw new IllegalStateException(
              "the repaired " + table + " differs from the rebuilt one");
        }
      }
      System.out.println(
          "repair against a full rebuild of silver and gold, in alternating blocks (warm-up: one"
              + " of each, not counted; the silver and gold tables they left are equal)");
      double touchedShare = lateDays.size() / (double) days.size();
      AlternatingBlocks.Result repairRatio =
          new AlternatingBlocks(0, blocks, System.out)
              .run(
                  "repair ms",
                  () -> 1000 * repairRun.call(),
                  "rebuild ms",
                  () -> 1000 * rebuildRun.call());
      System.out.println(
          repairRatio.line(
              "repair (P4)",
              "ms",
              "a full rebuild of silver and gold (times: lower is better)",
              String.format(
                  Locale.ROOT,
                  "at most 1.5 x the touched share %d/%d = %.2f",
                  lateDays.size(),
                  days.size(),
                  1.5 * touchedShare)));
      // The blocks end with a rebuild: the lake is as a rebuild leaves it for what follows.

      for (JoinStrategy strategy : JoinStrategy.values()) {
        tasks.reset();
        double t =
            time(
                () ->
                    new GoldJob(spark, lake)
                        .run(new GoldJob.Settings(titles, strategy, 8, 4L << 20, true)));
        System.out.printf(
            "gold --full with %-9s %.1f s, all tasks %,d ms; slowest %s%n",
            strategy, t, tasks.allTasksMs(), tasks.slowestStage());
      }

      // Silver against the plain read in alternating blocks, last, since each silver run rebuilds
      // every day (--full) and would make the repair above look at every day. The first runs of
      // both, above, were their warm-up.
      long bronzeRows = spark.table(lake.table(PipelineNames.BRONZE_EVENTS)).count();
      SilverJob.Settings full = new SilverJob.Settings(SilverJob.Settings.DEFAULTS.gap(), true);
      AlternatingBlocks.Run silverFull = () -> bronzeRows / time(() -> silver.run(full));
      System.out.println(
          "silver --full against the plain read, in alternating blocks (warm-up: the first runs"
              + " above, not counted)");
      silverAgainst(
          blocks,
          silverFull,
          "plain read",
          () -> bronzeRows / time(plainRead),
          "a plain full read of bronze (the columns silver reads, into Spark's noop sink)",
          "at least 0.2, silver at most 5x the read");

      // What any silver must do at least: read bronze and write its rows once, as silver_events.
      String copy = lake.table("bench_plain_copy");
      spark.sql(
          "CREATE TABLE %s USING iceberg PARTITIONED BY (days(event_ts)) AS SELECT * FROM %s LIMIT 0"
              .formatted(copy, lake.table(PipelineNames.SILVER_EVENTS)));
      Callable<Object> plainCopy =
          () -> {
            Tables.conformTo(spark, copy, spark.table(lake.table(PipelineNames.BRONZE_EVENTS)))
                .writeTo(copy)
                .overwrite(lit(true));
            return null;
          };
      time(plainCopy);
      System.out.println(
          "silver --full against a plain copy of bronze into a table shaped as silver_events,"
              + " in alternating blocks (warm-up: one copy, not counted)");
      silverAgainst(
          blocks,
          silverFull,
          "plain copy",
          () -> bronzeRows / time(plainCopy),
          "a plain copy of bronze (its rows read, written once as silver_events' columns and"
              + " day partitions, one overwrite commit)",
          "none: the floor under any silver, for the account");
      spark.stop();
    } finally {
      deleteQuietly(work);
    }
  }

  /** Silver {@code --full} against {@code reference} in alternating blocks, and its line. */
  private static void silverAgainst(
      int blocks,
      AlternatingBlocks.Run silverFull,
      String referenceName,
      AlternatingBlocks.Run reference,
      String referenceLine,
      String goal)
      throws Exception {
    AlternatingBlocks.Result result =
        new AlternatingBlocks(0, blocks, System.out)
            .run("silver --full", silverFull, referenceName, reference);
    System.out.println(result.line("silver (P3)", "bronze rows/s", referenceLine, goal));
  }

  /** The speedup that spreads {@code events} over about {@code days} at the default rate. */
  private static long speedupFor(long events, int days) {
    return Math.max(1, Math.round(2000.0 * days * 86_400 / events));
  }

  /** New unique events (copies of existing ones under new ids) on the given days. */
  private static void produceLateBatch(
      SparkSession spark, LakeSettings lake, String bootstrap, List<LocalDate> days, long count) {
    List<Row> rows =
        spark
            .table(lake.table(PipelineNames.SILVER_EVENTS))
            .filter(to_date(col("event_ts")).isin(days.stream().map(Date::valueOf).toArray()))
            .orderBy(col("event_id"))
            .limit((int) count)
            .collectAsList();
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    ViewingEventJson.Encoder encoder = ViewingEventJson.newEncoder();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (Row r : rows) {
        ViewingEvent late =
            new ViewingEvent(
                r.<String>getAs("event_id") + "-late",
                r.getAs("user_id"),
                r.<String>getAs("playback_id") + "-late",
                r.getAs("title_id"),
                r.getAs("device"),
                r.getAs("country"),
                EventType.fromWireName(r.getAs("event_type")),
                r.<Long>getAs("position_ms"),
                r.<Long>getAs("play_ms"),
                r.<java.sql.Timestamp>getAs("event_ts").getTime(),
                r.<java.sql.Timestamp>getAs("sent_ts").getTime());
        producer.send(
            new ProducerRecord<>(
                PipelineNames.EVENTS_TOPIC,
                late.userId().getBytes(StandardCharsets.UTF_8),
                encoder.encode(late)));
      }
    }
  }

  private static List<LocalDate> days(SparkSession spark, LakeSettings lake) {
    return spark
        .table(lake.table(PipelineNames.SILVER_EVENTS))
        .select(to_date(col("event_ts")).as("day"))
        .distinct()
        .orderBy("day")
        .collectAsList()
        .stream()
        .map(r -> r.getDate(0).toLocalDate())
        .toList();
  }

  /** What a repair and a rebuild must leave alike. */
  private static final List<String> COMPARED =
      List.of(
          PipelineNames.SILVER_EVENTS,
          PipelineNames.SILVER_SESSIONS,
          PipelineNames.GOLD_TITLE_COUNTRY_DAILY,
          PipelineNames.GOLD_USER_DAILY,
          PipelineNames.GOLD_COMPLETIONS);

  /** The tables silver and gold write, which a rollback sets back. */
  private static final List<String> DOWNSTREAM_OF_BRONZE =
      PipelineNames.TABLES.stream()
          .filter(t -> !t.equals(PipelineNames.BRONZE_EVENTS))
          .filter(t -> !t.equals(PipelineNames.BRONZE_QUARANTINE))
          .toList();

  /**
   * Silver then gold after the lake is set back to {@code before}; prints both times and returns
   * their sum. The rollback is the benchmark's, not the jobs', and is not timed.
   */
  private static Callable<Double> fromTheLake(
      String name, LakeRollback before, Callable<?> silverStep, Callable<?> goldStep) {
    return () -> {
      double rollbackSeconds =
          time(
              () -> {
                before.restore();
                return null;
              });
      long compiled = CodegenMetrics.METRIC_COMPILATION_TIME().getCount();
      double silverSeconds = time(silverStep);
      double goldSeconds = time(goldStep);
      System.out.printf(
          "  %s: silver %.1f s + gold %.1f s (%d classes generated and compiled; rollback before it"
              + " %.2f s, not counted)%n",
          name,
          silverSeconds,
          goldSeconds,
          CodegenMetrics.METRIC_COMPILATION_TIME().getCount() - compiled,
          rollbackSeconds);
      return silverSeconds + goldSeconds;
    };
  }

  private static SilverJob.Result checkRepaired(SilverJob.Result result, List<LocalDate> lateDays) {
    if (result.setAside() > 0 || result.eventDays().size() != lateDays.size()) {
      throw new IllegalStateException("the repair did not repair the late days: " + result);
    }
    return result;
  }

  private static double time(Callable<?> work) throws Exception {
    long started = System.nanoTime();
    work.call();
    return seconds(started);
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private static void deleteQuietly(Path dir) {
    try {
      Folders.delete(dir);
    } catch (IOException | UncheckedIOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }
}
