package org.keystonesandbox.ingest;

import java.time.Duration;
import java.util.Map;

/**
 * Where and how the generator writes.
 *
 * @param producerProperties Kafka producer settings (acks, compression, batching...), applied on
 *     top of the generator's fixed ones: byte-array serializers and idempotence
 */
public record KafkaSettings(
    String bootstrapServers,
    String topic,
    int partitions,
    short replicationFactor,
    Duration connectTimeout,
    Map<String, String> producerProperties) {

  public KafkaSettings {
    producerProperties = Map.copyOf(producerProperties);
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1");
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("replication factor must be at least 1");
    }
  }
}
