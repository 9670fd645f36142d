package org.keystonesandbox.ingest.delivery;

import java.time.Duration;

/**
 * How events reach Kafka: the faults of a real client fleet.
 *
 * @param duplicateRate share of events that are sent a second time (same {@code event_id}), up to
 *     {@code duplicateMaxDelay} after the first copy
 * @param lateRate share of events held back by a lateness drawn log-uniformly between {@code
 *     minLateness} and {@code maxLateness} (an offline device coming back online)
 * @param jitter every other event arrives up to this long after it happened, so the stream is
 *     slightly out of order
 * @param malformedRate share of events followed by a corrupted copy: bad JSON, a missing field or a
 *     timestamp years in the future
 */
public record DeliverySettings(
    double duplicateRate,
    Duration duplicateMaxDelay,
    double lateRate,
    Duration minLateness,
    Duration maxLateness,
    Duration jitter,
    double malformedRate) {

  /**
   * The longest lateness the generator produces: beyond the batch layer's default repair horizon (7
   * days), so that events older than it can be studied.
   */
  public static final Duration MAX_LATENESS = Duration.ofDays(30);

  public DeliverySettings {
    requireRate(duplicateRate, "duplicate rate");
    requireRate(lateRate, "late rate");
    requireRate(malformedRate, "malformed rate");
    require(!duplicateMaxDelay.isNegative(), "duplicate delay must not be negative");
    require(!jitter.isNegative(), "jitter must not be negative");
    require(minLateness.compareTo(Duration.ofSeconds(1)) >= 0, "min lateness must be at least 1s");
    require(
        maxLateness.compareTo(minLateness) >= 0 && maxLateness.compareTo(MAX_LATENESS) <= 0,
        "max lateness must be between min lateness and 30d");
  }

  private static void requireRate(double rate, String name) {
    require(rate >= 0 && rate <= 0.5, name + " must be between 0 and 0.5");
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
