package org.keystonesandbox.labs;

import java.util.List;

/** The labs on the lake: Iceberg's table format, the catalog, Spark's joins, the backfill. */
class LakeLabsIT extends LabsOnRealEngines {
  static final List<String> NAMES =
      List.of(
          "time-travel",
          "cow-vs-mor",
          "hidden-partitioning",
          "partition-evolution",
          "schema-evolution",
          "maintenance",
          "forget-user",
          "catalog",
          "skew",
          "backfill");

  @Override
  List<String> labNames() {
    return NAMES;
  }
}
