package org.keystonesandbox.ingest.cli;

import java.nio.file.Path;
import java.time.Duration;
import org.keystonesandbox.cli.Defaults;
import org.keystonesandbox.ingest.OutputSettings;
import picocli.CommandLine.Option;

/** Where the generator's files go and how often it reports: the flags of {@link OutputSettings}. */
public final class OutputOptions {
  @Option(
      names = "--out-dir",
      defaultValue = Defaults.GENERATOR_DIR,
      description = "catalog, ground truth and summary go here (default: ${DEFAULT-VALUE})")
  Path outDir;

  @Option(names = "--overwrite", description = "replace an earlier run's files in --out-dir")
  boolean overwrite;

  @Option(
      names = "--progress-interval",
      defaultValue = "5s",
      description = "how often to print progress (default: ${DEFAULT-VALUE})")
  Duration progressInterval;

  public OutputSettings settings() {
    return new OutputSettings(outDir, overwrite, progressInterval);
  }
}
