package org.keystonesandbox.stream.kafka;

import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

/**
 * A serializer that writes every record to one topic and names it, as the sink's pooled
 * transactional ids require: on a restart the sink lists the open transactions on that topic to
 * abort those a crashed run left behind.
 */
abstract class SingleTopicSerializer<T>
    implements KafkaRecordSerializationSchema<T>, KafkaDatasetFacetProvider {
  protected final String topic;

  SingleTopicSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
    return Optional.of(
        new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
  }
}
