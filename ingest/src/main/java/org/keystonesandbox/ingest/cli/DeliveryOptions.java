package org.keystonesandbox.ingest.cli;

import java.time.Duration;
import org.keystonesandbox.ingest.delivery.DeliverySettings;
import picocli.CommandLine.Option;

/** The faults of a real client fleet: the flags of {@link DeliverySettings}. */
public final class DeliveryOptions {
  @Option(
      names = "--duplicate-rate",
      defaultValue = "0.02",
      description = "share of events sent twice (default: ${DEFAULT-VALUE})")
  double duplicateRate;

  @Option(
      names = "--duplicate-max-delay",
      defaultValue = "1h",
      description = "the second copy comes up to this much later (default: ${DEFAULT-VALUE})")
  Duration duplicateMaxDelay;

  @Option(
      names = "--late-rate",
      defaultValue = "0.01",
      description = "share of events that arrive late (default: ${DEFAULT-VALUE})")
  double lateRate;

  @Option(
      names = "--min-lateness",
      defaultValue = "10m",
      description = "shortest lateness (default: ${DEFAULT-VALUE})")
  Duration minLateness;

  @Option(
      names = "--max-lateness",
      defaultValue = "2d",
      description =
          "longest lateness, at most 30d; log-uniform in between (default: ${DEFAULT-VALUE})")
  Duration maxLateness;

  @Option(
      names = "--jitter",
      defaultValue = "30s",
      description =
          "other events arrive up to this much after they happen (default: ${DEFAULT-VALUE})")
  Duration jitter;

  @Option(
      names = "--malformed-rate",
      defaultValue = "0.002",
      description = "share of events followed by a corrupted copy (default: ${DEFAULT-VALUE})")
  double malformedRate;

  public DeliverySettings settings() {
    return new DeliverySettings(
        duplicateRate,
        duplicateMaxDelay,
        lateRate,
        minLateness,
        maxLateness,
        jitter,
        malformedRate);
  }
}
