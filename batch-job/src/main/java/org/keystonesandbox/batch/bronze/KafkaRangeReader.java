package org.keystonesandbox.batch.bronze;

import java.io.Serializable;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads exact offset ranges of a topic as a DataFrame with the columns of Spark's Kafka source
 * ({@code value, partition, offset, timestamp}), each range split into tasks of bounded size.
 *
 * <p>Why not Spark's own Kafka source: spark-sql-kafka-0-10 4.0.0 calls {@code
 * DescribeTopicsResult.all()}, which the Kafka 4 clients this project pins no longer have (its
 * admin-based reader fails; the consumer-based one hangs on the same error). Reading given ranges
 * with a plain consumer is what that source does for a batch, without its offset resolution.
 */
public final class KafkaRangeReader {
  public static final StructType SCHEMA =
      new StructType()
          .add("value", DataTypes.BinaryType)
          .add("partition", DataTypes.IntegerType, false)
          .add("offset", DataTypes.LongType, false)
          .add("timestamp", DataTypes.TimestampType, false);

  /** One task's share: offsets {@code [from, until)} of one partition. */
  record Range(String topic, int partition, long from, long until) implements Serializable {}

  private KafkaRangeReader() {}

  public static Dataset<Row> read(
      SparkSession spark,
      String bootstrapServers,
      KafkaOffsets from,
      KafkaOffsets until,
      long recordsPerTask,
      Duration timeout) {
    List<Range> ranges = new ArrayList<>();
    for (Map.Entry<Integer, Long> end : until.next().entrySet()) {
      long start = from.nextIn(end.getKey());
      for (long a = start; a < end.getValue(); a += recordsPerTask) {
        ranges.add(
            new Range(
                until.topic(), end.getKey(), a, Math.min(end.getValue(), a + recordsPerTask)));
      }
    }
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    var rows =
        context
            .parallelize(ranges, Math.max(1, ranges.size()))
            .flatMap(new ReadRange(bootstrapServers, timeout.toMillis()));
    return spark.createDataFrame(rows, SCHEMA);
  }

  private static final class ReadRange implements FlatMapFunction<Range, Row> {
    private final String bootstrapServers;
    private final long timeoutMs;

    ReadRange(String bootstrapServers, long timeoutMs) {
      this.bootstrapServers = bootstrapServers;
      this.timeoutMs = timeoutMs;
    }

    @Override
    public Iterator<Row> call(Range range) {
      Properties config = new Properties();
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
      config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
      List<Row> rows = new ArrayList<>((int) (range.until() - range.from()));
      TopicPartition tp = new TopicPartition(range.topic(), range.partition());
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        consumer.assign(List.of(tp));
        consumer.seek(tp, range.from());
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (consumer.position(tp) < range.until()) {
          boolean progressed = false;
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
            progressed = true;
            if (record.offset() < range.until()) {
              rows.add(
                  RowFactory.create(
                      record.value(),
                      record.partition(),
                      record.offset(),
                      new Timestamp(record.timestamp())));
            }
          }
          if (progressed) {
            deadline = System.currentTimeMillis() + timeoutMs;
          } else if (System.currentTimeMillis() > deadline) {
            throw new IllegalStateException(
                "no records from %s at offset %d (reading up to %d) within %d ms"
                    .formatted(tp, consumer.position(tp), range.until(), timeoutMs));
          }
        }
      }
      return rows.iterator();
    }
  }
}
