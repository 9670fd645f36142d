package org.keystonesandbox.labs;

import java.util.List;

/** The labs on the lake: Iceberg's table format, erasure, the catalog, Spark's joins. */
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
          "skew");

  @Override
  List<String> labNames() {
    return NAMES;
  }
}
