package org.keystonesandbox.batch.cli;

import java.time.Duration;
import org.keystonesandbox.batch.silver.SilverJob;
import picocli.CommandLine.Option;

final class SilverOptions {
  @Option(
      names = "--session-gap",
      defaultValue = "30m",
      description = "inactivity that ends a session (default: ${DEFAULT-VALUE})")
  Duration sessionGap;

  @Option(
      names = "--repair-horizon",
      defaultValue = "7d",
      description =
          "how far behind the newest event time an event may arrive and still be repaired into its"
              + " day; events of older days go to silver_beyond_horizon (default: ${DEFAULT-VALUE})")
  Duration repairHorizon;

  SilverJob.Settings settings(boolean full) {
    if (sessionGap.isNegative() || sessionGap.isZero()) {
      throw new IllegalArgumentException("--session-gap must be positive");
    }
    return new SilverJob.Settings(sessionGap, full, repairHorizon);
  }
}
