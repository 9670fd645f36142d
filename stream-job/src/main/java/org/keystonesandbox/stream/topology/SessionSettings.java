package org.keystonesandbox.stream.topology;

import java.io.Serializable;
import java.time.Duration;

/**
 * What a session is and how long the job waits for stragglers.
 *
 * @param gap the inactivity gap: consecutive events at most this far apart (inclusive) are one
 *     session
 * @param allowedLateness how far behind the watermark an event may arrive and still update its
 *     session; later events go to the late-events output
 * @param dedupHorizon how long an event id is remembered, counted from the event's time to the
 *     watermark; at least the allowed lateness, so that a forgotten id can only come back late
 * @param shortHorizonAccepted accept a dedup horizon shorter than the allowed lateness: a copy that
 *     arrives after its id was forgotten but in time is then counted twice (for studying that
 *     effect; never the default)
 */
public record SessionSettings(
    Duration gap, Duration allowedLateness, Duration dedupHorizon, boolean shortHorizonAccepted)
    implements Serializable {

  public static final SessionSettings DEFAULTS =
      new SessionSettings(Duration.ofMinutes(30), Duration.ofMinutes(30), Duration.ofHours(6));

  /** Settings whose dedup horizon is at least the allowed lateness, as the job requires. */
  public SessionSettings(Duration gap, Duration allowedLateness, Duration dedupHorizon) {
    this(gap, allowedLateness, dedupHorizon, false);
  }

  public SessionSettings {
    if (gap.isNegative() || gap.isZero()) {
      throw new IllegalArgumentException("the session gap must be positive, got " + gap);
    }
    if (allowedLateness.isNegative()) {
      throw new IllegalArgumentException("allowed lateness must not be negative");
    }
    if (dedupHorizon.isNegative()) {
      throw new IllegalArgumentException("the dedup horizon must not be negative");
    }
    if (dedupHorizon.compareTo(allowedLateness) < 0 && !shortHorizonAccepted) {
      throw new IllegalArgumentException(
          "the dedup horizon ("
              + dedupHorizon
              + ") must be at least the allowed lateness ("
              + allowedLateness
              + "), or a forgotten duplicate could be counted twice"
              + " (--accept-short-dedup-horizon to study that)");
    }
  }
}
