package org.keystonesandbox.ingest;

import java.time.Duration;

/**
 * When a run ends and how fast it goes. A run ends at the first limit reached; then what is still
 * in flight (late copies, duplicates) is delivered, so the ground truth and the topic agree.
 *
 * @param maxEvents unique events to generate ({@code Long.MAX_VALUE}: no limit)
 * @param duration wall-clock time to generate for ({@code null}: no limit)
 * @param simDuration event time to generate, from the simulated start ({@code null}: no limit)
 * @param rate records per second of wall time; with {@code rate / speedup} it sets the event
 *     density of the simulated world
 * @param unthrottled send as fast as Kafka takes them, with the same content as at {@code rate}
 */
public record RunLimits(
    long maxEvents, Duration duration, Duration simDuration, double rate, boolean unthrottled) {

  public RunLimits {
    if (maxEvents < 1) {
      throw new IllegalArgumentException("count must be at least 1");
    }
    if (!(rate > 0)) {
      throw new IllegalArgumentException("rate must be positive (use --unthrottled for no limit)");
    }
  }
}
