package org.keystonesandbox.stream.kafka;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.keystonesandbox.events.ViewingEventJson;
import org.keystonesandbox.stream.topology.IncomingRecord;

/**
 * Parses and validates each record of the events topic as it is read, so that event time is known
 * per partition inside the source. Never throws: a record that breaks the contract becomes a
 * rejected {@link IncomingRecord} carrying its raw bytes.
 */
public class IncomingRecordDeserializer
    implements KafkaRecordDeserializationSchema<IncomingRecord> {
  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<IncomingRecord> out) {
    out.collect(
        read(
            record.partition(), record.offset(), record.timestamp(), record.key(), record.value()));
  }

  /** What the job makes of one record of the events topic; a missing value is rejected. */
  public static IncomingRecord read(
      int partition, long offset, long kafkaTimestamp, byte[] key, byte[] value) {
    byte[] payload = value == null ? new byte[0] : value;
    return IncomingRecord.of(
        ViewingEventJson.parse(payload, kafkaTimestamp),
        partition,
        offset,
        kafkaTimestamp,
        key,
        payload);
  }

  @Override
  public TypeInformation<IncomingRecord> getProducedType() {
    return TypeInformation.of(IncomingRecord.class);
  }
}
