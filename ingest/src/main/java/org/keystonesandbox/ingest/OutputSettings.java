package org.keystonesandbox.ingest;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the generator writes its files, and how often it reports progress.
 *
 * @param outDir receives {@code titles.csv}, {@code countries.csv}, {@code truth.csv.gz} and {@code
 *     summary.json}
 * @param overwrite replace the files of an earlier run in {@code outDir}
 */
public record OutputSettings(Path outDir, boolean overwrite, Duration progressInterval) {

  public static final String TRUTH_FILE = "truth.csv";
  public static final String SUMMARY_FILE = "summary.json";

  public Path truthFile() {
    return outDir.resolve(TRUTH_FILE);
  }

  public Path summaryFile() {
    return outDir.resolve(SUMMARY_FILE);
  }
}
