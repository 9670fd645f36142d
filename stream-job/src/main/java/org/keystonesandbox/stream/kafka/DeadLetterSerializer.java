package org.keystonesandbox.stream.kafka;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.keystonesandbox.stream.topology.IncomingRecord;

/**
 * A rejected record goes to the dead-letter topic byte for byte (key and value as they arrived),
 * with why and where it came from in headers, the way Kafka Connect's dead-letter queues do it.
 */
public class DeadLetterSerializer extends SingleTopicSerializer<IncomingRecord> {
  public static final String REASON_HEADER = "reject.reason";
  public static final String DETAIL_HEADER = "reject.detail";
  public static final String PARTITION_HEADER = "source.partition";
  public static final String OFFSET_HEADER = "source.offset";

  public DeadLetterSerializer(String topic) {
    super(topic);
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      IncomingRecord record, KafkaSinkContext context, Long timestamp) {
    List<Header> headers =
        List.of(
            header(REASON_HEADER, record.rejectReason),
            header(DETAIL_HEADER, record.rejectDetail),
            header(PARTITION_HEADER, Integer.toString(record.partition)),
            header(OFFSET_HEADER, Long.toString(record.offset)));
    return new ProducerRecord<>(
        topic, null, record.kafkaTimestamp, record.rawKey, record.rawValue, headers);
  }

  private static Header header(String name, String value) {
    return new RecordHeader(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }
}
