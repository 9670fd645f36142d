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
 * @param start where a job that restores no state starts reading
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
    Duration transactionTimeout,
    StartingPoint start)
    implements Serializable {

  /**
   * Where a job that restores no checkpoint or savepoint starts reading the events topic. A job
   * that restores one goes on from the offsets in it, whatever this says.
   */
  public enum StartingPoint {
    /**
     * The topic's earliest offsets when the group has committed none; refused when it has: state
     * from those offsets on would be missing (open sessions split, remembered ids forgotten).
     */
    REFUSE_COMMITTED,
    /** The earliest offsets: every record read again and all state rebuilt. */
    EARLIEST,
    /** The group's committed offsets, accepting sessions split at them and ids forgotten. */
    COMMITTED
  }

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
