package org.keystonesandbox.labs;

import java.util.List;

/** The labs on the stream: late data, duplicates, exactly-once, lag, clocks, the Flink sink. */
class StreamLabsIT extends LabsOnRealEngines {
  static final List<String> NAMES =
      List.of(
          "late-data",
          "dedup-window",
          "exactly-once",
          "flink-to-iceberg",
          "lag-and-rescale",
          "clock-skew");

  @Override
  List<String> labNames() {
    return NAMES;
  }
}
