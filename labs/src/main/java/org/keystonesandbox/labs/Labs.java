package org.keystonesandbox.labs;

import java.util.List;
import java.util.Optional;

/** Every lab, in the order {@code lab --list} shows them. */
public final class Labs {
  public static final List<Lab> ALL =
      List.of(
          new TimeTravelLab(),
          new CowVsMorLab(),
          new HiddenPartitioningLab(),
          new PartitionEvolutionLab(),
          new SchemaEvolutionLab(),
          new MaintenanceLab(),
          new ForgetUserLab(),
          new CatalogLab(),
          new LateDataLab(),
          new DedupWindowLab(),
          new ExactlyOnceLab(),
          new FlinkToIcebergLab(),
          new LagAndRescaleLab(),
          new ClockSkewLab(),
          new SkewLab(),
          new BackfillLab());

  private Labs() {}

  public static Optional<Lab> named(String name) {
    return ALL.stream().filter(lab -> lab.name().equals(name)).findFirst();
  }
}
