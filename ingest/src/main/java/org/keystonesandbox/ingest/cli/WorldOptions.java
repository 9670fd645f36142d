package org.keystonesandbox.ingest.cli;

import java.time.Duration;
import java.time.Instant;
import org.keystonesandbox.ingest.RunLimits;
import org.keystonesandbox.ingest.simulation.WorldSettings;
import picocli.CommandLine.Option;

/** What shapes the simulated viewers: the flags of {@link WorldSettings}. */
public final class WorldOptions {
  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "random seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--catalog-seed",
      description =
          "seed of the title catalog (default: --seed); lets runs with different seeds share one"
              + " catalog, as the sandbox does when it continues")
  Long catalogSeed;

  @Option(
      names = "--users",
      defaultValue = "5000",
      description = "viewers (default: ${DEFAULT-VALUE})")
  int users;

  @Option(
      names = "--titles",
      defaultValue = "500",
      description = "titles in the catalog (default: ${DEFAULT-VALUE})")
  int titles;

  @Option(
      names = "--start",
      defaultValue = "2026-01-01T00:00:00Z",
      description = "event time at which the simulated clock starts (default: ${DEFAULT-VALUE})")
  Instant start;

  @Option(
      names = "--speedup",
      defaultValue = "720",
      description =
          "simulated seconds per wall second at --rate; sets how busy the world is (default:"
              + " ${DEFAULT-VALUE}, a day of event time in two minutes)")
  double speedup;

  @Option(
      names = "--heartbeat",
      defaultValue = "60s",
      description = "heartbeat interval while playing (default: ${DEFAULT-VALUE})")
  Duration heartbeat;

  @Option(
      names = "--user-skew",
      defaultValue = "0.8",
      description = "Zipf exponent of user activity, 0 = uniform (default: ${DEFAULT-VALUE})")
  double userSkew;

  @Option(
      names = "--title-skew",
      defaultValue = "1.0",
      description = "Zipf exponent of title popularity (default: ${DEFAULT-VALUE})")
  double titleSkew;

  @Option(
      names = "--hot-title-share",
      defaultValue = "0.25",
      description = "share of events for the hot title t00001 (default: ${DEFAULT-VALUE})")
  double hotTitleShare;

  @Option(
      names = "--v2-share",
      defaultValue = "0",
      description =
          "share of users whose client speaks contract version 2 and reports bitrate_kbps"
              + " (default: ${DEFAULT-VALUE}: every event is version 1)")
  double v2Share;

  /** The world's event density is the records' rate slowed down by the speed-up. */
  public WorldSettings settings(RunLimits limits) {
    if (!(speedup > 0)) {
      throw new IllegalArgumentException("speedup must be positive");
    }
    if (start.isAfter(Instant.now())) {
      throw new IllegalArgumentException(
          "--start "
              + start
              + " is in the future: the pipeline judges event times by the Kafka record's"
              + " timestamp (wall time) and would reject every event as from the future");
    }
    return new WorldSettings(
        seed,
        catalogSeed == null ? seed : catalogSeed,
        users,
        titles,
        start,
        limits.rate() / speedup,
        heartbeat,
        userSkew,
        titleSkew,
        hotTitleShare,
        v2Share);
  }
}
