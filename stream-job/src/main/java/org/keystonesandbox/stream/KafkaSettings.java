package org.keystonesandbox.stream;

import java.io.Serializable;
import java.time.Duration;

/**
 * Where the job reads and writes.
 *
 * @param bounded stop at the end offsets found at start-up (tests, benchmarks, catch-up runs)
 *     instead of running forever
 * @param outputPartitions partitions of an output topic the job creates
 * @param transactionalIdPrefix unique per job deployment; Kafka fences older producers by it
 * @param transactionTimeout must stay below the broker's {@code transaction.max.timeout.ms}
 */
public record KafkaSettings(
    String bootstrapServers,
    String eventsTopic,
    String sessionsTopic,
    String lateEventsTopic,
    String deadLetterTopic,
    String groupId,
    boolean bounded,
    int outputPartitions,
    String transactionalIdPrefix,
    Duration transactionTimeout)
    implements Serializable {

  public KafkaSettings {
    if (outputPartitions < 1) {
      throw new IllegalArgumentException("output partitions must be at least 1");
    }
    if (transactionTimeout.compareTo(Duration.ofMinutes(15)) > 0) {
      throw new IllegalArgumentException(
          "the transaction timeout must not exceed 15 minutes, Kafka's default"
              + " transaction.max.timeout.ms; a longer one makes every checkpoint fail");
    }
  }
}
