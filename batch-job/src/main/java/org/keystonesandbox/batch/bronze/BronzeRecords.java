package org.keystonesandbox.batch.bronze;

import static org.apache.spark.sql.functions.col;

import java.sql.Timestamp;
import java.util.Iterator;
import java.util.function.Function;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.keystonesandbox.events.ParseResult;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.ViewingEventJson;

/**
 * Kafka records to bronze rows: each record is parsed and validated by the event contract's own
 * parser (the one the stream job uses, so both layers reject the same records for the same reasons)
 * and comes out either as an event row or as a quarantine row with the reason.
 */
public final class BronzeRecords {
  /** Every parsed record: {@code valid}, the event's fields or the reject reason, Kafka lineage. */
  public static final StructType PARSED =
      new StructType()
          .add("valid", DataTypes.BooleanType, false)
          .add("event_id", DataTypes.StringType)
          .add("user_id", DataTypes.StringType)
          .add("playback_id", DataTypes.StringType)
          .add("title_id", DataTypes.StringType)
          .add("device", DataTypes.StringType)
          .add("country", DataTypes.StringType)
          .add("event_type", DataTypes.StringType)
          .add("position_ms", DataTypes.LongType)
          .add("play_ms", DataTypes.LongType)
          .add("event_ts", DataTypes.TimestampType)
          .add("sent_ts", DataTypes.TimestampType)
          .add("bitrate_kbps", DataTypes.IntegerType)
          .add("reject_reason", DataTypes.StringType)
          .add("reject_detail", DataTypes.StringType)
          .add("kafka_partition", DataTypes.IntegerType, false)
          .add("kafka_offset", DataTypes.LongType, false)
          .add("kafka_timestamp", DataTypes.TimestampType, false)
          .add("payload", DataTypes.BinaryType);

  private BronzeRecords() {}

  /**
   * @param kafkaRecords rows of Spark's Kafka source (value, partition, offset, timestamp)
   */
  public static Dataset<Row> parse(Dataset<Row> kafkaRecords) {
    return kafkaRecords
        .select(col("value"), col("partition"), col("offset"), col("timestamp"))
        .mapPartitions(new ParseEach(), Encoders.row(PARSED));
  }

  /**
   * The event rows, in the bronze table's column order; {@code bitrate_kbps} last, for a table that
   * has it (see {@link org.keystonesandbox.batch.lake.Tables#conformTo}).
   */
  public static Dataset<Row> events(Dataset<Row> parsed) {
    return parsed
        .filter(col("valid"))
        .select(
            col("event_id"),
            col("user_id"),
            col("playback_id"),
            col("title_id"),
            col("device"),
            col("country"),
            col("event_type"),
            col("position_ms"),
            col("play_ms"),
            col("event_ts"),
            col("sent_ts"),
            col("kafka_partition"),
            col("kafka_offset"),
            col("kafka_timestamp"),
            col("payload").cast(DataTypes.StringType).as("payload"),
            col("bitrate_kbps"));
  }

  /** The rejected records, in the quarantine table's column order. */
  public static Dataset<Row> rejected(Dataset<Row> parsed) {
    return parsed
        .filter(col("valid").equalTo(false))
        .select(
            col("kafka_partition"),
            col("kafka_offset"),
            col("kafka_timestamp"),
            col("payload"),
            col("reject_reason"),
            col("reject_detail"));
  }

  static Row parseOne(byte[] value, int partition, long offset, Timestamp kafkaTimestamp) {
    ParseResult result = ViewingEventJson.parse(value, kafkaTimestamp.getTime());
    if (result instanceof ParseResult.Valid valid) {
      ViewingEvent e = valid.event();
      return RowFactory.create(
          true,
          e.eventId(),
          e.userId(),
          e.playbackId(),
          e.titleId(),
          e.device(),
          e.country(),
          e.eventType().wireName(),
          e.positionMs(),
          e.playMs(),
          new Timestamp(e.eventTs()),
          new Timestamp(e.sentTs()),
          e.bitrateKbps(),
          null,
          null,
          partition,
          offset,
          kafkaTimestamp,
          value);
    }
    ParseResult.Rejected rejected = (ParseResult.Rejected) result;
    return RowFactory.create(
        false,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        rejected.reason().name(),
        rejected.detail(),
        partition,
        offset,
        kafkaTimestamp,
        value);
  }

  private static final class ParseEach implements MapPartitionsFunction<Row, Row> {
    @Override
    public Iterator<Row> call(Iterator<Row> records) {
      return map(
          records, r -> parseOne((byte[]) r.get(0), r.getInt(1), r.getLong(2), r.getTimestamp(3)));
    }
  }

  private static <A, B> Iterator<B> map(Iterator<A> in, Function<A, B> f) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return in.hasNext();
      }

      @Override
      public B next() {
        return f.apply(in.next());
      }
    };
  }
}
