package org.keystonesandbox.stream.topology;

import java.time.Duration;

/**
 * How the job's event time advances (see {@link SessionTopology#watermarks}).
 *
 * @param outOfOrderness how far the watermark trails the largest event time seen in a partition
 * @param idleness wall time after which a silent partition stops holding the watermark back; zero
 *     disables it
 */
public record WatermarkSettings(Duration outOfOrderness, Duration idleness, boolean perEvent) {

  /** Watermarks at Flink's periodic interval, as the job runs by default. */
  public WatermarkSettings(Duration outOfOrderness, Duration idleness) {
    this(outOfOrderness, idleness, false);
  }

  public WatermarkSettings {
    if (outOfOrderness.isNegative() || idleness.isNegative()) {
      throw new IllegalArgumentException("out-of-orderness and idleness must not be negative");
    }
  }
}
