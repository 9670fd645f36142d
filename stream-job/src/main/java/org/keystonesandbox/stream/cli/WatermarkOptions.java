package org.keystonesandbox.stream.cli;

import java.time.Duration;
import org.keystonesandbox.stream.topology.WatermarkSettings;
import picocli.CommandLine.Option;

/** How event time advances: the flags of {@link WatermarkSettings}. */
public final class WatermarkOptions {
  @Option(
      names = "--out-of-orderness",
      defaultValue = "1m",
      description = "watermark delay behind the largest event time (default: ${DEFAULT-VALUE})")
  Duration outOfOrderness;

  @Option(
      names = "--idleness",
      defaultValue = "30s",
      description =
          "wall time after which a silent partition no longer holds the watermark; 0s disables"
              + " (default: ${DEFAULT-VALUE})")
  Duration idleness;

  @Option(
      names = "--watermark-per-event",
      description =
          "emit a watermark after every event instead of every pipeline.auto-watermark-interval:"
              + " a replay of one partition then meets the same watermarks every time, at a cost"
              + " per record (the labs use it)")
  boolean perEvent;

  public WatermarkSettings settings() {
    return new WatermarkSettings(outOfOrderness, idleness, perEvent);
  }
}
