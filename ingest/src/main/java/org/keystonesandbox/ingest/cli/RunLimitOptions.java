package org.keystonesandbox.ingest.cli;

import java.time.Duration;
import org.keystonesandbox.ingest.RunLimits;
import picocli.CommandLine.Option;

/** When a run ends and how fast it goes: the flags of {@link RunLimits}. */
public final class RunLimitOptions {
  @Option(
      names = "--rate",
      defaultValue = "2000",
      description = "records per second (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(
      names = "--unthrottled",
      description = "send as fast as Kafka takes them (same records as at --rate)")
  boolean unthrottled;

  @Option(
      names = {"-n", "--count"},
      description = "unique events to generate, then stop")
  Long count;

  @Option(names = "--duration", description = "wall-clock time to run, then stop")
  Duration duration;

  @Option(names = "--sim-duration", description = "event time to generate, then stop")
  Duration simDuration;

  public RunLimits settings() {
    return new RunLimits(
        count == null ? Long.MAX_VALUE : count, duration, simDuration, rate, unthrottled);
  }
}
