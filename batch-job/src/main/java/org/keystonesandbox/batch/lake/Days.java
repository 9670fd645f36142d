package org.keystonesandbox.batch.lake;

import static org.apache.spark.sql.functions.lit;

import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;

/** Sets of UTC days, and the filters that select them from a table partitioned by day. */
public final class Days {
  private Days() {}

  /**
   * Rows of {@code column} (a timestamp) that fall on one of {@code days}: one range per run of
   * consecutive days, aligned with the tables' day partitions, so Iceberg can drop whole files.
   */
  public static Column within(Column column, Collection<LocalDate> days) {
    Column any = lit(false);
    LocalDate runStart = null;
    LocalDate previous = null;
    for (LocalDate day : new TreeSet<>(days)) {
      if (previous == null || !day.equals(previous.plusDays(1))) {
        if (runStart != null) {
          any = any.or(range(column, runStart, previous));
        }
        runStart = day;
      }
      previous = day;
    }
    if (runStart != null) {
      any = any.or(range(column, runStart, previous));
    }
    return any;
  }

  private static Column range(Column column, LocalDate first, LocalDate last) {
    return column.geq(lit(startOf(first))).and(column.lt(lit(startOf(last.plusDays(1)))));
  }

  public static Timestamp startOf(LocalDate day) {
    return new Timestamp(day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
  }

  /** The days and their neighbours on both sides. */
  public static SortedSet<LocalDate> withNeighbours(Collection<LocalDate> days) {
    SortedSet<LocalDate> wider = new TreeSet<>();
    for (LocalDate day : days) {
      wider.add(day.minusDays(1));
      wider.add(day);
      wider.add(day.plusDays(1));
    }
    return wider;
  }

  public static String format(Collection<LocalDate> days) {
    return new TreeSet<>(days).stream().map(LocalDate::toString).collect(Collectors.joining(","));
  }

  public static SortedSet<LocalDate> parse(String days) {
    if (days == null || days.isBlank()) {
      return new TreeSet<>();
    }
    return Arrays.stream(days.split(","))
        .map(LocalDate::parse)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  public static List<java.sql.Date> sqlDates(Collection<LocalDate> days) {
    return days.stream().map(java.sql.Date::valueOf).toList();
  }
}
