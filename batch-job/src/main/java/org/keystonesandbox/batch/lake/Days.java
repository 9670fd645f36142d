package org.keystonesandbox.batch.lake;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
    return withinRing(column, days, Ring.NONE);
  }

  /**
   * How far around each run of days a {@link #withinRing} range reaches, before its first midnight
   * and after its last.
   */
  public record Ring(Duration before, Duration after) {
    public static final Ring NONE = new Ring(Duration.ZERO, Duration.ZERO);
  }

  /**
   * Rows of {@code column} within {@code ring} of a run of consecutive {@code days}: each run from
   * its first midnight minus the ring's {@code before} to its last midnight plus its {@code after}.
   */
  public static Column withinRing(Column column, Collection<LocalDate> days, Ring ring) {
    Column any = lit(false);
    for (LocalDate[] run : runs(days)) {
      any =
          any.or(
              column
                  .geq(lit(shift(startOf(run[0]), ring.before().negated())))
                  .and(column.lt(lit(shift(startOf(run[1].plusDays(1)), ring.after())))));
    }
    return any;
  }

  /**
   * For a timestamp in one of {@link #withinRing}'s ranges, where that range ends; null outside.
   */
  public static Column ringEnd(Column timestamp, Collection<LocalDate> days, Ring ring) {
    Column end = lit(null).cast("timestamp");
    for (LocalDate[] run : runs(days)) {
      Timestamp from = shift(startOf(run[0]), ring.before().negated());
      Timestamp to = shift(startOf(run[1].plusDays(1)), ring.after());
      end = when(timestamp.geq(lit(from)).and(timestamp.lt(lit(to))), lit(to)).otherwise(end);
    }
    return end;
  }

  /** Runs of consecutive days, as {first, last} pairs in order. */
  static List<LocalDate[]> runs(Collection<LocalDate> days) {
    List<LocalDate[]> runs = new ArrayList<>();
    for (LocalDate day : new TreeSet<>(days)) {
      LocalDate[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (last != null && day.equals(last[1].plusDays(1))) {
        last[1] = day;
      } else {
        runs.add(new LocalDate[] {day, day});
      }
    }
    return runs;
  }

  private static Timestamp shift(Timestamp at, Duration by) {
    return new Timestamp(at.getTime() + by.toMillis());
  }

  public static Timestamp startOf(LocalDate day) {
    return new Timestamp(day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
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

  /** Every day from {@code first} to {@code last}, both included, in order. */
  public static List<LocalDate> through(java.sql.Date first, java.sql.Date last) {
    return first.toLocalDate().datesUntil(last.toLocalDate().plusDays(1)).toList();
  }

  public static List<java.sql.Date> sqlDates(Collection<LocalDate> days) {
    return days.stream().map(java.sql.Date::valueOf).toList();
  }
}
