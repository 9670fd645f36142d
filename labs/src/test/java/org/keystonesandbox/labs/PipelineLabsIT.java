package org.keystonesandbox.labs;

import java.util.List;

/**
 * The labs on the running pipeline: late data, duplicates, exactly-once, the Flink sink, lag,
 * clocks, a backfill beside the live chain.
 */
class PipelineLabsIT extends LabsOnRealEngines {
  static final List<String> NAMES =
      List.of(
          "late-data",
          "dedup-window",
          "exactly-once",
          "flink-to-iceberg",
          "lag-and-rescale",
          "clock-skew",
          "backfill");

  @Override
  List<String> labNames() {
    return NAMES;
  }
}
