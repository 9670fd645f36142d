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

  public WatermarkSettings settings() {
    return new WatermarkSettings(outOfOrderness, idleness);
  }
}
