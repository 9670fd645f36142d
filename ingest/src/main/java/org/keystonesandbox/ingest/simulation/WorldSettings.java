package org.keystonesandbox.ingest.simulation;

import java.time.Duration;
import java.time.Instant;

/**
 * What shapes the simulated viewers' behaviour; the same settings give the same events.
 *
 * @param catalogSeed seed of the title catalog, so that runs with different seeds can share one
 *     catalog
 * @param eventsPerSimSecond the average event density in simulated time (events per second of event
 *     time); session starts are calibrated to meet it
 * @param userSkew Zipf exponent of user activity (0 = every user alike)
 * @param titleSkew Zipf exponent of title popularity
 * @param hotTitleShare share of all events that go to the hot title {@code t00001} (0 = no hot
 *     title beyond what the Zipf skew gives it)
 * @param v2Share share of users whose client speaks contract version 2 and reports its bitrate (0 =
 *     every event is version 1)
 */
public record WorldSettings(
    long seed,
    long catalogSeed,
    int users,
    int titles,
    Instant start,
    double eventsPerSimSecond,
    Duration heartbeat,
    double userSkew,
    double titleSkew,
    double hotTitleShare,
    double v2Share) {

  public WorldSettings {
    require(users >= 1 && users <= 10_000_000, "users must be between 1 and 10,000,000");
    require(titles >= 2 && titles <= 1_000_000, "titles must be between 2 and 1,000,000");
    require(eventsPerSimSecond > 0, "the event density must be positive");
    require(
        !heartbeat.isNegative() && heartbeat.toSeconds() >= 5 && heartbeat.toMinutes() <= 10,
        "heartbeat must be between 5s and 10m");
    require(userSkew >= 0 && userSkew <= 5, "user skew must be between 0 and 5");
    require(titleSkew >= 0 && titleSkew <= 5, "title skew must be between 0 and 5");
    require(hotTitleShare >= 0 && hotTitleShare < 1, "hot title share must be in [0, 1)");
    require(v2Share >= 0 && v2Share <= 1, "the share of version-2 clients must be in [0, 1]");
  }

  static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
