package org.keystonesandbox.verify;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.bronze.KafkaOffsets;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.events.RejectReason;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.oracle.ReferenceGold;
import org.keystonesandbox.oracle.ReferenceSession;

/**
 * The lake's tables and progress marks, read as the verifier compares them with the oracle: also
 * what the labs read.
 */
public final class LakeContents {
  private final SparkSession spark;
  private final LakeSettings lake;

  public LakeContents(SparkSession spark, LakeSettings lake) {
    this.spark = spark;
    this.lake = lake;
  }

  boolean exists() {
    return spark.catalog().tableExists(lake.table(PipelineNames.GOLD_USER_DAILY));
  }

  /** The Kafka offsets bronze committed with its events, by partition. */
  Map<Integer, Long> bronzeOffsets() {
    return SnapshotMarks.latest(table(PipelineNames.BRONZE_EVENTS), SnapshotMarks.KAFKA_OFFSETS)
        .map(json -> (Map<Integer, Long>) new TreeMap<>(KafkaOffsets.parse(json).next()))
        .orElse(Map.of());
  }

  /** Whether silver has read bronze's current snapshot, and gold silver's. */
  boolean silverCaughtUp() {
    Long bronzeNow = SnapshotMarks.currentSnapshotId(table(PipelineNames.BRONZE_EVENTS));
    Long silverRead =
        SnapshotMarks.snapshotIdMark(
            table(PipelineNames.SILVER_SESSIONS), SnapshotMarks.BRONZE_SNAPSHOT);
    return bronzeNow == null || bronzeNow.equals(silverRead);
  }

  boolean goldCaughtUp() {
    Long silverNow = SnapshotMarks.currentSnapshotId(table(PipelineNames.SILVER_SESSIONS));
    Long goldRead =
        SnapshotMarks.snapshotIdMark(
            table(PipelineNames.GOLD_USER_DAILY), SnapshotMarks.SILVER_SNAPSHOT);
    return silverNow == null || silverNow.equals(goldRead);
  }

  long rows(String table) {
    return spark.sql("SELECT count(*) FROM " + lake.table(table)).first().getLong(0);
  }

  Map<RejectReason, Long> rejectReasons() {
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

  public Set<String> silverEventIds() {
    Set<String> ids = new HashSet<>();
    spark
        .sql("SELECT event_id FROM " + lake.table(PipelineNames.SILVER_EVENTS))
        .toLocalIterator()
        .forEachRemaining(r -> ids.add(r.getString(0)));
    return ids;
  }

  /**
   * Where the first copy of each event sent more than once lies (all copies of an event share a
   * partition, as they share a user key): what tells a late re-send from a late event.
   */
  Map<String, Verification.Copy> firstCopiesOfRepeatedEvents() {
    Map<String, Verification.Copy> first = new java.util.HashMap<>();
    spark
        .sql(
            "SELECT event_id, min(kafka_partition), min(kafka_offset) FROM "
                + lake.table(PipelineNames.BRONZE_EVENTS)
                + " GROUP BY event_id HAVING count(*) > 1")
        .toLocalIterator()
        .forEachRemaining(
            r -> first.put(r.getString(0), new Verification.Copy(r.getInt(1), r.getLong(2))));
    return first;
  }

  /** The ids of the events silver set aside as beyond its repair horizon (none in older lakes). */
  public Set<String> beyondRepairHorizonIds() {
    String table = lake.table(PipelineNames.SILVER_BEYOND_HORIZON);
    Set<String> ids = new HashSet<>();
    if (spark.catalog().tableExists(table)) {
      spark
          .sql("SELECT DISTINCT event_id FROM " + table)
          .toLocalIterator()
          .forEachRemaining(r -> ids.add(r.getString(0)));
    }
    return ids;
  }

  /** The largest event time of the valid records in each Kafka partition (from bronze). */
  Map<Integer, Long> maxEventTimeByPartition() {
    Map<Integer, Long> max = new TreeMap<>();
    for (Row row :
        spark
            .sql(
                "SELECT kafka_partition, max(event_ts) FROM "
                    + lake.table(PipelineNames.BRONZE_EVENTS)
                    + " GROUP BY kafka_partition")
            .collectAsList()) {
      max.put(row.getInt(0), row.getTimestamp(1).getTime());
    }
    return max;
  }

  public List<ReferenceSession> silverSessions() {
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

  public List<ReferenceGold.TitleCountryDay> goldTitleCountryDays() {
    return goldTitleCountryDays("");
  }

  /**
   * @param timeTravel {@code VERSION AS OF <snapshot id>} or {@code TIMESTAMP AS OF '<time>'}, or
   *     empty for the current rows
   */
  public List<ReferenceGold.TitleCountryDay> goldTitleCountryDays(String timeTravel) {
    return spark
        .sql(
            "SELECT day, title_id, country, starts, unique_viewers, watch_ms, completions,"
                + " completion_rate, sessions FROM "
                + lake.table(PipelineNames.GOLD_TITLE_COUNTRY_DAILY)
                + (timeTravel.isEmpty() ? "" : " " + timeTravel)
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

  public List<ReferenceGold.UserDay> goldUserDays() {
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

  private Table table(String name) {
    return SnapshotMarks.load(spark, lake.table(name));
  }
}
