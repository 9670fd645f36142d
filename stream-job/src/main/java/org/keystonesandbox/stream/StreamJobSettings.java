package org.keystonesandbox.stream;

import java.time.Duration;
import org.keystonesandbox.stream.topology.SessionSettings;

/**
 * Every setting of the stream job; {@link StreamJobCommand} builds it from flags or a properties
 * file.
 *
 * @param outOfOrderness how far the watermark trails the largest event time seen in a partition
 * @param idleness wall time after which a silent partition stops holding the watermark back; zero
 *     disables it
 */
public record StreamJobSettings(
    KafkaSettings kafka,
    Duration outOfOrderness,
    Duration idleness,
    SessionSettings sessions,
    RuntimeSettings runtime) {

  public StreamJobSettings {
    if (outOfOrderness.isNegative() || idleness.isNegative()) {
      throw new IllegalArgumentException("out-of-orderness and idleness must not be negative");
    }
  }
}
