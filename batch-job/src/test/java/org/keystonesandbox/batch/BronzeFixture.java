package org.keystonesandbox.batch;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.lake.Tables;
import org.keystonesandbox.events.names.PipelineNames;

/**
 * Writes bronze rows directly, as if bronze had read them from Kafka: each {@link #append} is one
 * bronze snapshot, offsets continue where the previous batch ended (all on partition 0).
 */
public final class BronzeFixture {
  private final SparkSession spark;
  private final LakeSettings lake;
  private final List<Row> pending = new ArrayList<>();
  private long nextOffset;
  private String country = "US";

  public BronzeFixture(SparkSession spark, LakeSettings lake) {
    this.spark = spark;
    this.lake = lake;
    Tables.createAll(spark, lake);
  }

  /** One event; {@code at} is an ISO instant such as {@code 2026-01-05T10:00:00Z}. */
  public BronzeFixture event(
      String eventId,
      String userId,
      String playbackId,
      String titleId,
      String eventType,
      long positionMs,
      long playMs,
      String at) {
    Timestamp ts = Timestamp.from(Instant.parse(at));
    pending.add(
        RowFactory.create(
            eventId,
            userId,
            playbackId,
            titleId,
            "tv",
            country,
            eventType,
            positionMs,
            playMs,
            ts,
            ts,
            0,
            nextOffset++,
            ts,
            "{}"));
    return this;
  }

  /** The country of the events added from now on ({@code US} until changed). */
  public BronzeFixture from(String newCountry) {
    this.country = newCountry;
    return this;
  }

  /** A heartbeat of {@code playMs} at {@code at}: the common case in these fixtures. */
  public BronzeFixture beat(String eventId, String userId, String titleId, long playMs, String at) {
    return event(
        eventId, userId, "pb-" + userId + "-" + titleId, titleId, "heartbeat", 0, playMs, at);
  }

  public void append() {
    String table = lake.table(PipelineNames.BRONZE_EVENTS);
    try {
      // Like bronze, each append records the offsets read so far in its snapshot.
      spark
          .createDataFrame(pending, spark.table(table).schema())
          .writeTo(table)
          .option(
              "snapshot-property." + SnapshotMarks.KAFKA_OFFSETS,
              "{\"fixture\":{\"0\":" + nextOffset + "}}")
          .append();
    } catch (NoSuchTableException e) {
      throw new IllegalStateException(e);
    }
    pending.clear();
  }
}
