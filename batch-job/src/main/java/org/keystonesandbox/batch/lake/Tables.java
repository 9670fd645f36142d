package org.keystonesandbox.batch.lake;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.keystonesandbox.events.names.PipelineNames.BRONZE_EVENTS;
import static org.keystonesandbox.events.names.PipelineNames.BRONZE_QUARANTINE;
import static org.keystonesandbox.events.names.PipelineNames.GOLD_COMPLETIONS;
import static org.keystonesandbox.events.names.PipelineNames.GOLD_TITLE_COUNTRY_DAILY;
import static org.keystonesandbox.events.names.PipelineNames.GOLD_USER_DAILY;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_BEYOND_HORIZON;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_EVENTS;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_SESSIONS;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.events.names.PipelineNames;

/**
 * The tables' definitions (their names are {@link
 * org.keystonesandbox.events.names.PipelineNames}'s); {@link #createAll} makes any that are
 * missing.
 */
public final class Tables {
  private static final String EVENT_COLUMNS =
      "event_id STRING NOT NULL, user_id STRING NOT NULL, playback_id STRING NOT NULL,"
          + " title_id STRING NOT NULL, device STRING NOT NULL, country STRING NOT NULL,"
          + " event_type STRING NOT NULL, position_ms BIGINT NOT NULL, play_ms BIGINT NOT NULL,"
          + " event_ts TIMESTAMP NOT NULL, sent_ts TIMESTAMP NOT NULL,"
          + " kafka_partition INT NOT NULL, kafka_offset BIGINT NOT NULL";

  /** Lets a writer stage a snapshot and publish it later (write-audit-publish). */
  private static final String STAGED_WRITES = ", 'write.wap.enabled'='true'";

  private Tables() {}

  /** Lakes whose tables this JVM has made sure of, per session: a chain run checks once. */
  private static final Map<SparkSession, Set<LakeSettings>> ENSURED =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** Creates the namespace and any missing table, and applies the write mode; once per session. */
  public static void createAll(SparkSession spark, LakeSettings lake) {
    Set<LakeSettings> ensured = ENSURED.computeIfAbsent(spark, s -> ConcurrentHashMap.newKeySet());
    if (ensured.contains(lake)) {
      return;
    }
    spark.sql(
        "CREATE NAMESPACE IF NOT EXISTS " + PipelineNames.LAKE_CATALOG + "." + lake.namespace());
    create(
        spark,
        lake.table(BRONZE_EVENTS),
        EVENT_COLUMNS + ", kafka_timestamp TIMESTAMP NOT NULL, payload STRING NOT NULL",
        "days(event_ts)",
        lake,
        STAGED_WRITES);
    create(
        spark,
        lake.table(BRONZE_QUARANTINE),
        "kafka_partition INT NOT NULL, kafka_offset BIGINT NOT NULL,"
            + " kafka_timestamp TIMESTAMP NOT NULL, payload BINARY,"
            + " reject_reason STRING NOT NULL, reject_detail STRING",
        "days(kafka_timestamp)",
        lake,
        STAGED_WRITES);
    create(spark, lake.table(SILVER_EVENTS), EVENT_COLUMNS, "days(event_ts)", lake);
    create(
        spark,
        lake.table(SILVER_BEYOND_HORIZON),
        EVENT_COLUMNS + ", reason STRING NOT NULL",
        "days(event_ts)",
        lake);
    create(
        spark,
        lake.table(SILVER_SESSIONS),
        "user_id STRING NOT NULL, country STRING NOT NULL, session_start TIMESTAMP NOT NULL,"
            + " session_end TIMESTAMP NOT NULL, events BIGINT NOT NULL, watch_ms BIGINT NOT NULL,"
            + " titles ARRAY<STRING> NOT NULL",
        "days(session_start)",
        lake);
    create(
        spark,
        lake.table(GOLD_TITLE_COUNTRY_DAILY),
        "day DATE NOT NULL, title_id STRING NOT NULL, title_name STRING, genre STRING,"
            + " country STRING NOT NULL, starts BIGINT NOT NULL, unique_viewers BIGINT NOT NULL,"
            + " watch_ms BIGINT NOT NULL, watch_hours DOUBLE NOT NULL,"
            + " completions BIGINT NOT NULL, completion_rate DOUBLE, sessions BIGINT NOT NULL",
        "day",
        lake);
    create(
        spark,
        lake.table(GOLD_USER_DAILY),
        "day DATE NOT NULL, user_id STRING NOT NULL, country STRING NOT NULL,"
            + " sessions BIGINT NOT NULL, events BIGINT NOT NULL, watch_ms BIGINT NOT NULL,"
            + " titles BIGINT NOT NULL",
        "day",
        lake);
    create(
        spark,
        lake.table(GOLD_COMPLETIONS),
        "playback_id STRING NOT NULL, user_id STRING NOT NULL, title_id STRING NOT NULL,"
            + " country STRING NOT NULL, completed_at TIMESTAMP NOT NULL",
        null,
        lake);
    ensured.add(lake);
  }

  /**
   * {@code rows} with exactly the columns {@code table} has, in its order: a column the table
   * gained since this code was written ({@code ALTER TABLE ... ADD COLUMN}) is null, a column the
   * table does not have is left out. So the jobs write whatever schema the catalog holds for a
   * table: the bitrate of contract version 2 lands in bronze and silver once they have the column
   * (bronze keeps it in each row's payload before that).
   */
  public static Dataset<Row> conformTo(SparkSession spark, String table, Dataset<Row> rows) {
    Set<String> present = Set.of(rows.columns());
    Column[] columns =
        Arrays.stream(spark.table(table).schema().fields())
            .map(
                field ->
                    present.contains(field.name())
                        ? col(field.name())
                        : lit(null).cast(field.dataType()).as(field.name()))
            .toArray(Column[]::new);
    return rows.select(columns);
  }

  private static void create(
      SparkSession spark,
      String table,
      String columns,
      String partitioning,
      LakeSettings lake,
      String... extraProperties) {
    String mode = lake.writeMode().icebergName();
    spark.sql(
        "CREATE TABLE IF NOT EXISTS %s (%s) USING iceberg %s TBLPROPERTIES (%s)"
            .formatted(
                table,
                columns,
                partitioning == null ? "" : "PARTITIONED BY (" + partitioning + ")",
                "'format-version'='2', " + writeModes(mode) + String.join("", extraProperties)));
    String current =
        spark
            .sql("SHOW TBLPROPERTIES %s ('write.merge.mode')".formatted(table))
            .first()
            .getString(1);
    if (!mode.equals(current)) {
      spark.sql("ALTER TABLE %s SET TBLPROPERTIES (%s)".formatted(table, writeModes(mode)));
    }
  }

  private static String writeModes(String mode) {
    return "'write.delete.mode'='%1$s', 'write.update.mode'='%1$s', 'write.merge.mode'='%1$s'"
        .formatted(mode);
  }
}
