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
    byte[] value = record.value() == null ? new byte[0] : record.value();
    out.collect(
        IncomingRecord.of(
            ViewingEventJson.parse(value),
            record.partition(),
            record.offset(),
            record.timestamp(),
            record.key(),
            value));
  }

  @Override
  public TypeInformation<IncomingRecord> getProducedType() {
    return TypeInformation.of(IncomingRecord.class);
  }
}
