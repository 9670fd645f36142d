package org.keystonesandbox.batch.silver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.batch.BronzeFixture;
import org.keystonesandbox.batch.SparkLakeTest;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.events.names.PipelineNames;

class SilverJobTest extends SparkLakeTest {

  private List<String> sessions(LakeSettings lake) {
    return spark
        .sql(
            "SELECT user_id, session_start, session_end, events, watch_ms, titles FROM "
                + lake.table(PipelineNames.SILVER_SESSIONS)
                + " ORDER BY user_id, session_start")
        .collectAsList()
        .stream()
        .map(SilverJobTest::describe)
        .toList();
  }

  private static String describe(Row r) {
    return "%s %s..%s events=%d watch=%d titles=%s"
        .formatted(
            r.getString(0),
            r.getTimestamp(1).toInstant(),
            r.getTimestamp(2).toInstant(),
            r.getLong(3),
            r.getLong(4),
            r.getList(5));
  }

  private SilverJob.Result silver(LakeSettings lake) {
    return new SilverJob(spark, lake).run(SilverJob.Settings.DEFAULTS);
  }

  @Test
  void duplicatesKeepOneCopyWithinABatchAndAcrossBatches() {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze
        .beat("e1", "u1", "t1", 1000, "2026-01-05T10:00:00Z")
        .beat("e1", "u1", "t1", 1000, "2026-01-05T10:00:00Z")
        .beat("e2", "u1", "t1", 2000, "2026-01-05T10:01:00Z")
        .append();
    silver(lake);
    bronze.beat("e1", "u1", "t1", 1000, "2026-01-05T10:00:00Z").append();
    silver(lake);

    List<Row> events =
        spark
            .sql(
                "SELECT event_id, kafka_offset FROM "
                    + lake.table(PipelineNames.SILVER_EVENTS)
                    + " ORDER BY event_id")
            .collectAsList();
    assertThat(events)
        .extracting(r -> r.getString(0) + "@" + r.getLong(1))
        .containsExactly("e1@0", "e2@2");
    assertThat(sessions(lake))
        .containsExactly(
            "u1 2026-01-05T10:00:00Z..2026-01-05T10:01:00Z events=2 watch=3000 titles=[t1]");
  }

  @Test
  void aRebuildKeepsEachEventsFirstCopyAndWritesEachDayAsOneFile() {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    for (int i = 0; i < 4; i++) {
      bronze.beat("e" + i, "u" + i, "t1", 1000, "2026-01-05T10:0" + i + ":00Z");
      bronze.beat("f" + i, "u" + i, "t1", 1000, "2026-01-06T10:0" + i + ":00Z");
    }
    bronze.append();
    bronze.beat("e0", "u0", "t1", 1000, "2026-01-05T10:00:00Z");
    bronze.beat("f0", "u0", "t1", 1000, "2026-01-06T10:00:00Z");
    for (int i = 4; i < 8; i++) {
      bronze.beat("e" + i, "u" + i, "t1", 1000, "2026-01-05T10:0" + i + ":00Z");
    }
    bronze.append();
    bronze.beat("e1", "u1", "t1", 1000, "2026-01-05T10:01:00Z");
    for (int i = 4; i < 8; i++) {
      bronze.beat("f" + i, "u" + i, "t1", 1000, "2026-01-06T10:0" + i + ":00Z");
    }
    bronze.append();
    // Without coalescing, rows hashed by anything finer than the day land in several tasks.
    spark.conf().set("spark.sql.adaptive.coalescePartitions.enabled", "false");
    try {
      new SilverJob(spark, lake)
          .run(new SilverJob.Settings(java.time.Duration.ofMinutes(30), true));
    } finally {
      spark.conf().unset("spark.sql.adaptive.coalescePartitions.enabled");
    }

    String events = lake.table(PipelineNames.SILVER_EVENTS);
    assertThat(spark.table(events).count()).isEqualTo(16);
    assertThat(
            spark
                .sql(
                    "SELECT event_id, kafka_offset FROM "
                        + events
                        + " WHERE event_id IN ('e0', 'e1', 'f0') ORDER BY event_id")
                .collectAsList())
        .extracting(r -> r.getString(0) + "@" + r.getLong(1))
        .containsExactly("e0@0", "e1@2", "f0@1");
    assertThat(
            spark
                .sql(
                    "SELECT CAST(partition.event_ts_day AS STRING), file_count FROM "
                        + events
                        + ".partitions ORDER BY 1")
                .collectAsList())
        .extracting(r -> r.getString(0) + " " + r.getInt(1))
        .containsExactly("2026-01-05 1", "2026-01-06 1");
  }

  @Test
  void anEventOfADayClosedByTheRepairHorizonIsSetAsideOnceAndItsDayStaysAsItWas() {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze
        .beat("d1", "u1", "t1", 1000, "2026-01-01T10:00:00Z")
        .beat("d9", "u1", "t1", 1000, "2026-01-09T12:00:00Z")
        .append();
    silver(lake);
    // Newest event 2026-01-09T12:00, minus 7 days: days up to 2026-01-01 are closed, 01-02 is not.
    bronze
        .beat("late1", "u1", "t1", 5000, "2026-01-01T10:10:00Z")
        .beat("late2", "u2", "t1", 7000, "2026-01-02T13:00:00Z")
        .append();

    SilverJob.Result result = silver(lake);
    SilverJob.Result rerun =
        new SilverJob(spark, lake)
            .run(new SilverJob.Settings(java.time.Duration.ofMinutes(30), false));

    assertThat(result.setAside()).isEqualTo(1);
    assertThat(result.eventDays()).extracting(Object::toString).containsExactly("2026-01-02");
    assertThat(rerun.bronzeRowsRead()).as("the increment was marked read").isZero();
    assertThat(
            spark
                .sql(
                    "SELECT event_id, reason FROM "
                        + lake.table(PipelineNames.SILVER_BEYOND_HORIZON))
                .collectAsList())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getString(0)).isEqualTo("late1");
              assertThat(r.getString(1)).contains("repair horizon (PT168H)");
            });
    assertThat(sessions(lake))
        .containsExactly(
            "u1 2026-01-01T10:00:00Z..2026-01-01T10:00:00Z events=1 watch=1000 titles=[t1]",
            "u1 2026-01-09T12:00:00Z..2026-01-09T12:00:00Z events=1 watch=1000 titles=[t1]",
            "u2 2026-01-02T13:00:00Z..2026-01-02T13:00:00Z events=1 watch=7000 titles=[t1]");
  }

  @Test
  void daysCloseByTheNewestEventTimeAtTheLastCommitSoARerunAfterACrashClosesTheSameDays() {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze.beat("d9", "u1", "t1", 1000, "2026-01-09T12:00:00Z").append();
    silver(lake);
    // What a crashed run leaves: newer events appended to silver_events, no sessions commit.
    spark.sql(
        "INSERT INTO "
            + lake.table(PipelineNames.SILVER_EVENTS)
            + " SELECT 'crash', user_id, playback_id, title_id, device, country, event_type,"
            + " position_ms, play_ms, timestamp '2026-01-20 00:00:00', sent_ts, kafka_partition,"
            + " kafka_offset + 100 FROM "
            + lake.table(PipelineNames.SILVER_EVENTS));
    bronze.beat("d5", "u2", "t1", 1000, "2026-01-05T12:00:00Z").append();

    SilverJob.Result result = silver(lake);

    assertThat(result.setAside()).as("2026-01-05 is within 7 days of the committed 01-09").isZero();
    assertThat(result.eventDays()).extracting(Object::toString).containsExactly("2026-01-05");
  }

  @Test
  void whenEveryNewEventIsBeyondTheHorizonTheIncrementIsStillMarkedRead() {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze.beat("d9", "u1", "t1", 1000, "2026-01-09T12:00:00Z").append();
    silver(lake);
    bronze.beat("old", "u1", "t1", 1000, "2026-01-01T12:00:00Z").append();

    SilverJob.Result result = silver(lake);

    assertThat(result.setAside()).isEqualTo(1);
    assertThat(result.sessionDays()).isEmpty();
    assertThat(silver(lake).bronzeRowsRead()).isZero();
    assertThat(spark.table(lake.table(PipelineNames.SILVER_BEYOND_HORIZON)).count()).isEqualTo(1);
  }

  @Test
  void bronzeFilesPartitionedByHourAfterAnEvolutionRepairTheirDays() {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze.beat("d1", "u1", "t1", 1000, "2026-01-05T23:50:00Z").append();
    silver(lake);
    spark.sql(
        "ALTER TABLE "
            + lake.table(PipelineNames.BRONZE_EVENTS)
            + " REPLACE PARTITION FIELD days(event_ts) WITH hours(event_ts)");
    bronze.beat("h1", "u1", "t1", 2000, "2026-01-06T00:10:00Z").append();

    SilverJob.Result result = silver(lake);

    assertThat(result.eventDays()).extracting(Object::toString).containsExactly("2026-01-06");
    assertThat(sessions(lake))
        .containsExactly(
            "u1 2026-01-05T23:50:00Z..2026-01-06T00:10:00Z events=2 watch=3000 titles=[t1]");
  }

  @Test
  void aGapOfExactlyThirtyMinutesContinuesTheSessionAndOneMillisecondMoreEndsIt() {
    LakeSettings lake = freshLake();
    new BronzeFixture(spark, lake)
        .beat("a1", "u1", "t1", 10, "2026-01-05T10:00:00Z")
        .beat("a2", "u1", "t2", 20, "2026-01-05T10:30:00Z")
        .beat("a3", "u1", "t1", 40, "2026-01-05T11:00:00.001Z")
        .append();
    silver(lake);

    assertThat(sessions(lake))
        .containsExactly(
            "u1 2026-01-05T10:00:00Z..2026-01-05T10:30:00Z events=2 watch=30 titles=[t1, t2]",
            "u1 2026-01-05T11:00:00.001Z..2026-01-05T11:00:00.001Z events=1 watch=40 titles=[t1]");
  }

  @Test
  void aLateEventBeforeMidnightJoinsTheSessionThatStartedAfterItOnTheNextDay() {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze
        .beat("b1", "u1", "t1", 10, "2026-01-05T20:00:00Z")
        .beat("b2", "u1", "t1", 20, "2026-01-06T00:10:00Z")
        .beat("b3", "u1", "t1", 30, "2026-01-06T00:30:00Z")
        .append();
    silver(lake);
    bronze.beat("b0", "u1", "t1", 5, "2026-01-05T23:50:00Z").append();
    SilverJob.Result result = silver(lake);

    assertThat(sessions(lake))
        .containsExactly(
            "u1 2026-01-05T20:00:00Z..2026-01-05T20:00:00Z events=1 watch=10 titles=[t1]",
            "u1 2026-01-05T23:50:00Z..2026-01-06T00:30:00Z events=3 watch=55 titles=[t1]");
    assertThat(result.eventDays()).extracting(Object::toString).containsExactly("2026-01-05");
    assertThat(result.sessionDays())
        .extracting(Object::toString)
        .containsExactly("2026-01-05", "2026-01-06");
  }

  @Test
  void aLateEventInASessionRunningPastMidnightReplacesOnlyTheDayTheSessionStarted() {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze
        .beat("g1", "u1", "t1", 1, "2026-01-05T23:40:00Z")
        .beat("g2", "u1", "t1", 2, "2026-01-06T00:05:00Z")
        .beat("g3", "u2", "t1", 4, "2026-01-06T10:00:00Z")
        .append();
    silver(lake);
    bronze.beat("g0", "u1", "t2", 8, "2026-01-05T23:50:00Z").append();
    SilverJob.Result result = silver(lake);

    assertThat(result.sessionDays()).extracting(Object::toString).containsExactly("2026-01-05");
    assertThat(sessions(lake))
        .containsExactly(
            "u1 2026-01-05T23:40:00Z..2026-01-06T00:05:00Z events=3 watch=11 titles=[t1, t2]",
            "u2 2026-01-06T10:00:00Z..2026-01-06T10:00:00Z events=1 watch=4 titles=[t1]");
  }

  @Test
  void aReplacedDaysFirstSessionThatContinuesOneFromExactlyOneGapBeforeMidnightStaysWithIt() {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze
        .beat("f1", "u2", "t1", 1, "2026-01-04T23:30:00Z")
        .beat("f2", "u2", "t1", 2, "2026-01-05T00:00:00Z")
        .beat("f3", "u1", "t1", 4, "2026-01-05T23:50:00Z")
        .append();
    silver(lake);
    bronze.beat("f4", "u1", "t2", 8, "2026-01-06T00:05:00Z").append();
    SilverJob.Result result = silver(lake);

    assertThat(result.sessionDays())
        .extracting(Object::toString)
        .containsExactly("2026-01-05", "2026-01-06");
    assertThat(sessions(lake))
        .containsExactly(
            "u1 2026-01-05T23:50:00Z..2026-01-06T00:05:00Z events=2 watch=12 titles=[t1, t2]",
            "u2 2026-01-04T23:30:00Z..2026-01-05T00:00:00Z events=2 watch=3 titles=[t1]");
  }

  @Test
  void aSessionRunningOverSeveralDaysIsRecomputedWholeWhenALateEventExtendsIt() {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    Instant t = Instant.parse("2026-01-01T12:00:00Z");
    for (int i = 0; i < 3 * 24 * 3; i++) { // every 20 minutes for three days
      bronze.beat("c" + i, "u1", "t1", 1, t.plusSeconds(1200L * i).toString());
    }
    bronze.append();
    silver(lake);
    bronze.beat("late", "u1", "t2", 100, "2026-01-04T12:10:00Z").append();
    silver(lake);

    assertThat(sessions(lake))
        .containsExactly(
            "u1 2026-01-01T12:00:00Z..2026-01-04T12:10:00Z events=217 watch=316 titles=[t1, t2]");
  }

  @Test
  void sessionsCrossingMidnightOnUntouchedDaysDoNotWidenTheRepair() {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    for (int day = 1; day <= 8; day++) {
      bronze
          .beat("x" + day, "u1", "t1", 1, "2026-01-0" + day + "T23:40:00Z")
          .beat("y" + day, "u1", "t1", 1, "2026-01-0" + (day + 1) + "T00:05:00Z");
    }
    bronze.append();
    silver(lake);
    bronze.beat("late", "u2", "t1", 7, "2026-01-04T12:00:00Z").append();

    SilverJob.Result result = silver(lake);

    assertThat(result.sessionDays()).extracting(Object::toString).containsExactly("2026-01-04");
    assertThat(sessions(lake))
        .hasSize(9)
        .contains(
            "u1 2026-01-04T23:40:00Z..2026-01-05T00:05:00Z events=2 watch=2 titles=[t1]",
            "u2 2026-01-04T12:00:00Z..2026-01-04T12:00:00Z events=1 watch=7 titles=[t1]");
  }

  @Test
  void aRerunWithNothingNewCommitsNothing() {
    LakeSettings lake = freshLake();
    new BronzeFixture(spark, lake).beat("d1", "u1", "t1", 10, "2026-01-05T10:00:00Z").append();
    silver(lake);
    long events = snapshot(lake, PipelineNames.SILVER_EVENTS);
    long sessions = snapshot(lake, PipelineNames.SILVER_SESSIONS);

    SilverJob.Result rerun = silver(lake);

    assertThat(rerun.bronzeRowsRead()).isZero();
    assertThat(snapshot(lake, PipelineNames.SILVER_EVENTS)).isEqualTo(events);
    assertThat(snapshot(lake, PipelineNames.SILVER_SESSIONS)).isEqualTo(sessions);
  }

  private long snapshot(LakeSettings lake, String table) {
    return spark
        .sql(
            "SELECT snapshot_id FROM "
                + lake.table(table)
                + ".snapshots ORDER BY committed_at DESC")
        .first()
        .getLong(0);
  }
}
