package org.keystonesandbox.stream.cli;

import java.time.Duration;
import org.keystonesandbox.stream.topology.SessionSettings;
import picocli.CommandLine.Option;

/**
 * What a session is and how long the job waits for stragglers: the flags of {@link
 * SessionSettings}.
 */
public final class SessionOptions {
  @Option(
      names = "--session-gap",
      defaultValue = "30m",
      description = "inactivity gap that ends a session (default: ${DEFAULT-VALUE})")
  Duration sessionGap;

  @Option(
      names = "--allowed-lateness",
      defaultValue = "30m",
      description =
          "how far behind the watermark an event may still update its session"
              + " (default: ${DEFAULT-VALUE})")
  Duration allowedLateness;

  @Option(
      names = "--dedup-horizon",
      defaultValue = "6h",
      description =
          "how long event ids are remembered, in event time; at least the allowed lateness"
              + " (default: ${DEFAULT-VALUE})")
  Duration dedupHorizon;

  @Option(
      names = "--accept-short-dedup-horizon",
      description =
          "accept a dedup horizon shorter than the allowed lateness: copies arriving after their id"
              + " was forgotten but in time are counted twice (to study it; the dedup-window lab)")
  boolean shortHorizonAccepted;

  public SessionSettings settings() {
    return new SessionSettings(sessionGap, allowedLateness, dedupHorizon, shortHorizonAccepted);
  }
}
