package org.keystonesandbox.batch.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.Phase;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.lake.SqlTime;
import org.keystonesandbox.batch.lake.Tables;
import org.keystonesandbox.events.names.PipelineNames;

/**
 * Table maintenance with Iceberg's own procedures: compaction ({@code rewrite_data_files}),
 * snapshot expiry and orphan-file cleanup, table by table.
 *
 * <p>Expiry never removes a snapshot the pipeline still needs: the newest one carrying the table's
 * own progress mark (bronze's Kafka offsets, silver's bronze snapshot, gold's silver snapshot), nor
 * the snapshot a downstream job will read from next (the bronze snapshot silver read up to, the
 * silver snapshot gold read up to). Otherwise a job would lose its place and re-read.
 */
public final class MaintenanceJob {
  public record Settings(Duration snapshotRetention, Duration orphanAge) {
    public static final Settings DEFAULTS = new Settings(Duration.ofDays(1), Duration.ofDays(3));
  }

  /** What maintenance did to one table. */
  public record TableResult(String table, long filesRewritten, long filesAdded, long orphans) {}

  private final SparkSession spark;
  private final LakeSettings lake;

  public MaintenanceJob(SparkSession spark, LakeSettings lake) {
    this.spark = spark;
    this.lake = lake;
  }

  public List<TableResult> run(Settings settings) {
    Tables.createAll(spark, lake);
    Map<String, String> ownMark =
        Map.of(
            PipelineNames.BRONZE_EVENTS, SnapshotMarks.KAFKA_OFFSETS,
            PipelineNames.BRONZE_QUARANTINE, SnapshotMarks.KAFKA_OFFSETS,
            PipelineNames.SILVER_SESSIONS, SnapshotMarks.BRONZE_SNAPSHOT,
            PipelineNames.GOLD_USER_DAILY, SnapshotMarks.SILVER_SNAPSHOT);
    List<TableResult> results = new ArrayList<>();
    for (String name : PipelineNames.TABLES) {
      String table = lake.table(name);
      // Iceberg's default skips groups of fewer than five files; every batch run adds one per
      // day it touches, so two are worth merging here.
      Row rewrite =
          Phase.timed(
              "maintenance: " + name + " compacted",
              () ->
                  spark
                      .sql(
                          "CALL %s.system.rewrite_data_files(table => '%s', options => map('min-input-files', '2'))"
                              .formatted(PipelineNames.LAKE_CATALOG, table))
                      .first());
      Instant now = Instant.now();
      long keepFrom = now.minus(settings.snapshotRetention()).toEpochMilli();
      Table iceberg = SnapshotMarks.load(spark, table);
      keepFrom = Math.min(keepFrom, markedSnapshotTime(iceberg, ownMark.get(name)));
      keepFrom = Math.min(keepFrom, downstreamReadPoint(name, iceberg));
      String expireBefore = SqlTime.literal(Instant.ofEpochMilli(keepFrom));
      Phase.timed(
          "maintenance: " + name + " snapshots expired",
          () ->
              spark.sql(
                  "CALL %s.system.expire_snapshots(table => '%s', older_than => %s, retain_last => 1)"
                      .formatted(PipelineNames.LAKE_CATALOG, table, expireBefore)));
      long orphans =
          Phase.timed(
              "maintenance: " + name + " orphan files removed",
              () ->
                  spark
                      .sql(
                          "CALL %s.system.remove_orphan_files(table => '%s', older_than => %s)"
                              .formatted(
                                  PipelineNames.LAKE_CATALOG,
                                  table,
                                  SqlTime.literal(now.minus(settings.orphanAge()))))
                      .count());
      results.add(new TableResult(name, rewrite.getInt(0), rewrite.getInt(1), orphans));
    }
    return results;
  }

  /** When the newest snapshot with {@code mark} was made; no limit if none or no mark. */
  private static long markedSnapshotTime(Table table, String mark) {
    if (mark == null) {
      return Long.MAX_VALUE;
    }
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      if (snapshot.summary().containsKey(mark)) {
        return snapshot.timestampMillis();
      }
    }
    return Long.MAX_VALUE;
  }

  /** When the snapshot the next job downstream reads from was made. */
  private long downstreamReadPoint(String name, Table table) {
    Long readUpTo =
        switch (name) {
          case PipelineNames.BRONZE_EVENTS ->
              SnapshotMarks.snapshotIdMark(
                  SnapshotMarks.load(spark, lake.table(PipelineNames.SILVER_SESSIONS)),
                  SnapshotMarks.BRONZE_SNAPSHOT);
          case PipelineNames.SILVER_SESSIONS ->
              SnapshotMarks.snapshotIdMark(
                  SnapshotMarks.load(spark, lake.table(PipelineNames.GOLD_USER_DAILY)),
                  SnapshotMarks.SILVER_SNAPSHOT);
          default -> null;
        };
    return Optional.ofNullable(readUpTo)
        .map(table::snapshot)
        .map(Snapshot::timestampMillis)
        .orElse(Long.MAX_VALUE);
  }
}
