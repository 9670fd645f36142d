package org.keystonesandbox.batch.gold;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.batch.BronzeFixture;
import org.keystonesandbox.batch.SparkLakeTest;
import org.keystonesandbox.batch.lake.Days;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.silver.SilverJob;
import org.keystonesandbox.events.catalog.CatalogFiles;
import org.keystonesandbox.events.catalog.Title;
import org.keystonesandbox.events.names.PipelineNames;

class GoldJobTest extends SparkLakeTest {
  private Path titles;

  @BeforeAll
  void writeTitles() throws IOException {
    titles = Files.createTempFile(warehouse, "titles", ".csv");
    CatalogFiles.writeTitles(
        titles,
        List.of(
            new Title("t1", "First", "drama", "film", 100_000, 2020),
            new Title("t2", "Second", "comedy", "film", 200_000, 2021)));
  }

  private void silverAndGold(LakeSettings lake) throws Exception {
    new SilverJob(spark, lake).run(SilverJob.Settings.DEFAULTS);
    new GoldJob(spark, lake).run(new GoldJob.Settings(titles));
  }

  /**
   * Gold title × country rows as "day title country starts viewers watch completions rate
   * sessions".
   */
  private Map<String, List<String>> titleCountryByDay(LakeSettings lake) {
    return spark
        .sql(
            "SELECT * FROM "
                + lake.table(PipelineNames.GOLD_TITLE_COUNTRY_DAILY)
                + " ORDER BY day, title_id, country")
        .collectAsList()
        .stream()
        .collect(
            Collectors.groupingBy(
                r -> r.getAs("day").toString(),
                java.util.TreeMap::new,
                Collectors.mapping(GoldJobTest::describe, Collectors.toList())));
  }

  private static String describe(Row r) {
    return "%s %s %s starts=%d viewers=%d watch=%d completions=%d rate=%s sessions=%d"
        .formatted(
            r.getAs("day"),
            r.getAs("title_id"),
            r.getAs("country"),
            r.<Long>getAs("starts"),
            r.<Long>getAs("unique_viewers"),
            r.<Long>getAs("watch_ms"),
            r.<Long>getAs("completions"),
            r.getAs("completion_rate"),
            r.<Long>getAs("sessions"));
  }

  private static void playback(
      BronzeFixture bronze, String id, String user, String title, String day, long... positions) {
    bronze.event(id + "-0", user, id, title, "play_start", 0, 0, day + "T10:00:00Z");
    long previous = 0;
    for (int i = 0; i < positions.length; i++) {
      bronze.event(
          id + "-" + (i + 1),
          user,
          id,
          title,
          "heartbeat",
          positions[i],
          positions[i] - previous,
          day + "T10:0" + (i + 1) + ":00Z");
      previous = positions[i];
    }
  }

  @Test
  void theEarliestCompletionsOnSomeDaysAreThoseOfAllCompletionsFilteredToTheDays() {
    // Held: one completion per playback. New: completions found in a late batch.
    Dataset<Row> held =
        completions(
            "on-the-days 2026-01-02T10:00:00",
            "before-the-days 2026-01-01T10:00:00",
            "new-is-earlier-elsewhere 2026-01-02T12:00:00",
            "new-is-earlier-on-the-days 2026-01-04T09:00:00",
            "held-is-earlier-elsewhere 2026-01-01T08:00:00",
            "same-on-both 2026-01-03T10:00:00");
    Dataset<Row> late =
        completions(
            "new-is-earlier-elsewhere 2026-01-01T23:00:00",
            "new-is-earlier-on-the-days 2026-01-03T09:00:00",
            "held-is-earlier-elsewhere 2026-01-02T08:00:00",
            "same-on-both 2026-01-03T10:00:00",
            "only-new 2026-01-03T11:00:00");
    Column onTheDays =
        Days.within(
            col("completed_at"),
            List.of(LocalDate.parse("2026-01-02"), LocalDate.parse("2026-01-03")));

    List<String> pruned = describeCompletions(GoldMetrics.earliestOn(held, late, onTheDays));

    assertThat(pruned)
        .containsExactlyInAnyOrderElementsOf(
            describeCompletions(GoldMetrics.earliest(held, late).filter(onTheDays)))
        .containsExactlyInAnyOrder(
            "on-the-days 2026-01-02 10:00:00.0",
            "new-is-earlier-on-the-days 2026-01-03 09:00:00.0",
            "same-on-both 2026-01-03 10:00:00.0",
            "only-new 2026-01-03 11:00:00.0");
  }

  /** Completions of user u1, title t1, country DE, each given as "playback completed_at". */
  private Dataset<Row> completions(String... rows) {
    StructType schema =
        new StructType()
            .add("playback_id", DataTypes.StringType)
            .add("user_id", DataTypes.StringType)
            .add("title_id", DataTypes.StringType)
            .add("country", DataTypes.StringType)
            .add("completed_at", DataTypes.TimestampType);
    List<Row> parsed =
        Stream.of(rows)
            .map(row -> row.split(" "))
            .map(
                parts ->
                    RowFactory.create(
                        parts[0], "u1", "t1", "DE", Timestamp.valueOf(parts[1].replace('T', ' '))))
            .toList();
    return spark.createDataFrame(parsed, schema);
  }

  private static List<String> describeCompletions(Dataset<Row> completions) {
    return completions.collectAsList().stream()
        .map(row -> row.getAs("playback_id") + " " + row.getAs("completed_at"))
        .toList();
  }

  @Test
  void everyJoinStrategyGivesTheSameGold() throws Exception {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    playback(bronze, "p1", "u1", "t1", "2026-01-05", 60_000, 96_000, 99_000);
    bronze.from("GB");
    playback(bronze, "p2", "u2", "t2", "2026-01-06", 190_000);
    bronze.append();
    silverAndGold(lake);
    Map<String, List<String>> byDefault = titleCountryByDay(lake);

    for (JoinStrategy strategy : JoinStrategy.values()) {
      new GoldJob(spark, lake).run(new GoldJob.Settings(titles, strategy, 4, 1L << 20, true));
      assertThat(titleCountryByDay(lake)).as(strategy.name()).isEqualTo(byDefault);
    }
    assertThat(byDefault.get("2026-01-05"))
        .containsExactly(
            "2026-01-05 t1 US starts=1 viewers=1 watch=99000 completions=1 rate=1.0 sessions=1");
  }

  @Test
  void dailyTitleCountryFiguresFollowTheDefinitions() throws Exception {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    playback(bronze, "p1", "u1", "t1", "2026-01-05", 60_000, 96_000, 99_000);
    playback(bronze, "p2", "u2", "t1", "2026-01-05", 50_000);
    bronze.from("GB");
    playback(bronze, "p3", "u3", "t1", "2026-01-05", 94_999);
    playback(bronze, "p4", "u3", "t2", "2026-01-06", 190_000);
    bronze.append();

    silverAndGold(lake);

    assertThat(titleCountryByDay(lake).values().stream().flatMap(List::stream))
        .containsExactly(
            "2026-01-05 t1 GB starts=1 viewers=1 watch=94999 completions=0 rate=0.0 sessions=1",
            "2026-01-05 t1 US starts=2 viewers=2 watch=149000 completions=1 rate=0.5 sessions=2",
            "2026-01-06 t2 GB starts=1 viewers=1 watch=190000 completions=1 rate=1.0 sessions=1");
    List<String> users = userDays(lake).stream().map(Row::toString).toList();
    assertThat(users)
        .containsExactly(
            "[2026-01-05,u1,US,1,4,99000,1]",
            "[2026-01-05,u2,US,1,2,50000,1]",
            "[2026-01-05,u3,GB,1,2,94999,1]",
            "[2026-01-06,u3,GB,1,2,190000,1]");
  }

  @Test
  void aLateEventSixDaysOldRepairsThatDayAndNothingElse() throws Exception {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    for (int day = 1; day <= 8; day++) {
      playback(bronze, "p" + day, "u1", "t1", "2026-01-0" + day, 40_000, 80_000);
    }
    bronze.append();
    silverAndGold(lake);
    Map<String, List<String>> before = titleCountryByDay(lake);
    List<Row> silverBefore = silverEventsOutside(lake, "2026-01-02");

    bronze.event("p2-late", "u1", "p2", "t1", "heartbeat", 97_000, 17_000, "2026-01-02T10:05:00Z");
    bronze.append();
    silverAndGold(lake);

    Map<String, List<String>> after = titleCountryByDay(lake);
    assertThat(after.get("2026-01-02"))
        .containsExactly(
            "2026-01-02 t1 US starts=1 viewers=1 watch=97000 completions=1 rate=1.0 sessions=1");
    after.remove("2026-01-02");
    before.remove("2026-01-02");
    assertThat(after).isEqualTo(before);
    assertThat(silverEventsOutside(lake, "2026-01-02")).isEqualTo(silverBefore);
    assertThat(
            spark
                .sql(
                    "SELECT count(*) FROM "
                        + lake.table(PipelineNames.SILVER_EVENTS)
                        + " WHERE to_date(event_ts) = DATE'2026-01-02'")
                .first()
                .getLong(0))
        .isEqualTo(4);
  }

  private List<Row> silverEventsOutside(LakeSettings lake, String day) {
    return spark
        .sql(
            "SELECT * FROM "
                + lake.table(PipelineNames.SILVER_EVENTS)
                + " WHERE to_date(event_ts) <> DATE'"
                + day
                + "' ORDER BY event_id")
        .collectAsList();
  }

  @Test
  void aLateEarlierCompletionMovesTheCompletionToItsDay() throws Exception {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze
        .event("m0", "u1", "pm", "t1", "play_start", 0, 0, "2026-01-03T23:40:00Z")
        .event("m1", "u1", "pm", "t1", "heartbeat", 90_000, 90_000, "2026-01-03T23:55:00Z")
        .event("m2", "u1", "pm", "t1", "heartbeat", 99_000, 9_000, "2026-01-04T00:05:00Z")
        .append();
    silverAndGold(lake);
    bronze.event("m1b", "u1", "pm", "t1", "heartbeat", 96_000, 6_000, "2026-01-03T23:58:00Z");
    bronze.append();
    silverAndGold(lake);

    assertThat(titleCountryByDay(lake).values().stream().flatMap(List::stream))
        .containsExactly(
            "2026-01-03 t1 US starts=1 viewers=1 watch=96000 completions=1 rate=1.0 sessions=1",
            "2026-01-04 t1 US starts=0 viewers=1 watch=9000 completions=0 rate=null sessions=0");
  }

  @Test
  void aDayWhoseSessionsAloneChangedHasItsSessionsRecountedAsARebuildWould() throws Exception {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze
        .event("a0", "u1", "pa", "t1", "play_start", 0, 0, "2026-01-03T23:20:00Z")
        .event("a1", "u1", "pa", "t1", "heartbeat", 40_000, 40_000, "2026-01-03T23:40:00Z")
        .event("b0", "u1", "pb", "t2", "play_start", 0, 0, "2026-01-04T00:30:00Z")
        .event("b1", "u1", "pb", "t2", "heartbeat", 10_000, 10_000, "2026-01-04T00:40:00Z")
        .beat("o1", "u2", "t1", 5_000, "2026-01-03T12:00:00Z")
        .beat("c1", "u3", "t1", 5_000, "2026-01-05T00:10:00Z")
        .append();
    silverAndGold(lake);
    // 25 minutes after a1 and before b0: the two sessions become one, which starts on the 3rd;
    // and u3's session of the 5th now starts on the 4th. The 3rd and the 5th have no new event:
    // gold keeps their events' figures and recounts their sessions.
    bronze
        .event("late", "u1", "pb", "t2", "heartbeat", 5_000, 5_000, "2026-01-04T00:05:00Z")
        .beat("c0", "u3", "t1", 5_000, "2026-01-04T23:50:00Z")
        .append();
    silverAndGold(lake);
    Map<String, List<String>> repaired = titleCountryByDay(lake);
    List<Row> repairedUsers = userDays(lake);

    new GoldJob(spark, lake)
        .run(new GoldJob.Settings(titles, JoinStrategy.BROADCAST, 8, 4L << 20, true));

    assertThat(repaired)
        .isEqualTo(titleCountryByDay(lake))
        .containsEntry(
            "2026-01-03",
            List.of(
                "2026-01-03 t1 US starts=1 viewers=2 watch=45000 completions=0 rate=0.0"
                    + " sessions=2",
                "2026-01-03 t2 US starts=0 viewers=0 watch=0 completions=0 rate=null"
                    + " sessions=1"))
        .containsEntry(
            "2026-01-05",
            List.of(
                "2026-01-05 t1 US starts=0 viewers=1 watch=5000 completions=0 rate=null"
                    + " sessions=0"));
    assertThat(repairedUsers)
        .isEqualTo(userDays(lake))
        .extracting(Row::toString)
        .contains(
            "[2026-01-03,u1,US,1,2,40000,1]",
            "[2026-01-04,u1,US,0,3,15000,1]",
            "[2026-01-05,u3,US,0,1,5000,1]");
  }

  private List<Row> userDays(LakeSettings lake) {
    return spark
        .sql(
            "SELECT day, user_id, country, sessions, events, watch_ms, titles FROM "
                + lake.table(PipelineNames.GOLD_USER_DAILY)
                + " ORDER BY day, user_id")
        .collectAsList();
  }

  @Test
  void aRerunChangesNothing() throws Exception {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    playback(bronze, "r1", "u1", "t1", "2026-01-05", 96_000);
    bronze.append();
    silverAndGold(lake);
    Map<String, Long> snapshots = currentSnapshots(lake);
    Map<String, List<String>> rows = titleCountryByDay(lake);

    silverAndGold(lake);

    assertThat(currentSnapshots(lake)).isEqualTo(snapshots);
    assertThat(titleCountryByDay(lake)).isEqualTo(rows);
  }

  @Test
  void aRunThatFailsMidwayReleasesEverythingItCached() throws Exception {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    playback(bronze, "f1", "u1", "t1", "2026-01-06", 96_000);
    bronze.append();
    silverAndGold(lake);
    playback(bronze, "f2", "u2", "t2", "2026-01-07", 50_000);
    bronze.append();
    new SilverJob(spark, lake).run(SilverJob.Settings.DEFAULTS);
    // Gold's first write fails, after the joined events were cached.
    spark.sql(
        "ALTER TABLE "
            + lake.table(PipelineNames.GOLD_TITLE_COUNTRY_DAILY)
            + " SET TBLPROPERTIES ('write.format.default' = 'no-such-format')");
    assertThat(spark.sharedState().cacheManager().isEmpty()).isTrue();

    assertThatThrownBy(() -> new GoldJob(spark, lake).run(new GoldJob.Settings(titles)))
        .hasStackTraceContaining("no-such-format");

    assertThat(spark.sharedState().cacheManager().isEmpty()).isTrue();
  }

  private Map<String, Long> currentSnapshots(LakeSettings lake) {
    Map<String, Long> ids = new java.util.TreeMap<>();
    for (String table :
        List.of(
            PipelineNames.SILVER_EVENTS,
            PipelineNames.SILVER_SESSIONS,
            PipelineNames.GOLD_TITLE_COUNTRY_DAILY,
            PipelineNames.GOLD_USER_DAILY,
            PipelineNames.GOLD_COMPLETIONS)) {
      ids.put(
          table,
          spark
              .sql(
                  "SELECT snapshot_id FROM "
                      + lake.table(table)
                      + ".snapshots ORDER BY committed_at DESC LIMIT 1")
              .first()
              .getLong(0));
    }
    return ids;
  }
}
