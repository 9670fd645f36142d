package org.keystonesandbox.batch.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.unix_millis;
import static org.apache.spark.sql.functions.when;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.iceberg.Table;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import org.keystonesandbox.batch.lake.Days;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.lake.Tables;

/**
 * Silver: deduplicated events and sessions, recomputed for the days that new bronze data touches.
 *
 * <p>It reads only the bronze snapshots appended since the one it last read (a mark in its own
 * snapshot summary), and:
 *
 * <ol>
 *   <li>replaces the touched event days of {@code silver_events} with their old rows plus the new
 *       ones, one row per {@code event_id} (the copy Kafka received first: copies of an event share
 *       its key, hence its partition, and its time, hence its day);
 *   <li>replaces the sessions of every start day a new event can change. Those are the touched days
 *       and their neighbours (a late event can extend a session that began the day before, or join
 *       one that begins just after midnight), widened until no recomputed session of those days can
 *       reach an event outside the loaded days, so that sessions spanning midnight, or several
 *       days, come out exactly as a full recomputation gives them.
 * </ol>
 *
 * Each step is one atomic Iceberg overwrite of whole day partitions; the sessions commit carries
 * the bronze mark and the replaced days (for gold). A crash in between is repaired by the rerun,
 * which recomputes the same days from the same input.
 */
public final class SilverJob {
  public record Settings(Duration gap, boolean fullRebuild) {
    public static final Settings DEFAULTS = new Settings(Duration.ofMinutes(30), false);
  }

  /** What one run did; empty day sets when there was nothing new. */
  public record Result(
      long bronzeRowsRead,
      SortedSet<LocalDate> eventDays,
      SortedSet<LocalDate> sessionDays,
      long sessionsWritten) {}

  private final SparkSession spark;
  private final LakeSettings lake;

  public SilverJob(SparkSession spark, LakeSettings lake) {
    this.spark = spark;
    this.lake = lake;
  }

  public Result run(Settings settings) {
    Tables.createAll(spark, lake);
    Table bronze = SnapshotMarks.load(spark, lake.table(Tables.BRONZE_EVENTS));
    Table sessionsTable = SnapshotMarks.load(spark, lake.table(Tables.SILVER_SESSIONS));
    Long bronzeNow = SnapshotMarks.currentSnapshotId(bronze);
    Long readUpTo =
        SnapshotMarks.latest(sessionsTable, SnapshotMarks.BRONZE_SNAPSHOT)
            .map(Long::valueOf)
            .orElse(null);
    if (bronzeNow == null || (!settings.fullRebuild() && bronzeNow.equals(readUpTo))) {
      return new Result(0, new TreeSet<>(), new TreeSet<>(), 0);
    }
    Dataset<Row> increment =
        bronzeRows(readUpTo == null || settings.fullRebuild() ? null : readUpTo, bronzeNow)
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long read = increment.count();
      SortedSet<LocalDate> eventDays = daysOf(increment, "event_ts");
      if (eventDays.isEmpty()) {
        return new Result(read, eventDays, new TreeSet<>(), 0);
      }
      replaceEvents(increment, eventDays);
      return replaceSessions(settings.gap(), eventDays, read, bronzeNow);
    } finally {
      increment.unpersist();
    }
  }

  private Dataset<Row> bronzeRows(Long afterSnapshot, long upToSnapshot) {
    var reader = spark.read().format("iceberg");
    if (afterSnapshot == null) {
      reader = reader.option("snapshot-id", upToSnapshot);
    } else {
      reader =
          reader.option("start-snapshot-id", afterSnapshot).option("end-snapshot-id", upToSnapshot);
    }
    return reader.load(lake.table(Tables.BRONZE_EVENTS)).drop("payload", "kafka_timestamp");
  }

  private void replaceEvents(Dataset<Row> increment, SortedSet<LocalDate> days) {
    String table = lake.table(Tables.SILVER_EVENTS);
    Dataset<Row> current = spark.table(table).filter(Days.within(col("event_ts"), days));
    Dataset<Row> unique =
        current
            .unionByName(increment)
            .withColumn(
                "copy",
                row_number()
                    .over(
                        Window.partitionBy("event_id")
                            .orderBy(col("kafka_partition"), col("kafka_offset"))))
            .filter(col("copy").equalTo(1))
            .drop("copy");
    try {
      unique.writeTo(table).overwrite(Days.within(col("event_ts"), days));
    } catch (Exception e) {
      throw new IllegalStateException("replacing days of " + table + " failed", e);
    }
  }

  private Result replaceSessions(
      Duration gap, SortedSet<LocalDate> eventDays, long read, long bronzeSnapshot) {
    SortedSet<LocalDate> sessionDays = Days.withNeighbours(eventDays);
    SortedSet<LocalDate> loaded = Days.withNeighbours(sessionDays);
    Dataset<Row> sessions;
    while (true) {
      sessions = sessionsOf(loaded, eventDays, gap).persist(StorageLevel.MEMORY_AND_DISK());
      boolean widened = false;
      for (Row edge : edgeCases(sessions, sessionDays, loaded, gap).collectAsList()) {
        LocalDate start = edge.getDate(0).toLocalDate();
        LocalDate end = edge.getDate(1).toLocalDate();
        widened |= sessionDays.add(start);
        if (edge.getBoolean(2)) {
          widened |= sessionDays.add(start.minusDays(1));
        }
        if (edge.getBoolean(3)) {
          widened |= loaded.add(end.plusDays(1));
        }
        widened |= loaded.addAll(Days.withNeighbours(sessionDays));
      }
      if (!widened) {
        break;
      }
      sessions.unpersist();
    }
    try {
      Dataset<Row> replacement =
          Sessionizer.inTableOrder(
              sessions.filter(col("start_day").isin(Days.sqlDates(sessionDays).toArray())));
      replacement
          .writeTo(lake.table(Tables.SILVER_SESSIONS))
          .option("snapshot-property." + SnapshotMarks.BRONZE_SNAPSHOT, bronzeSnapshot)
          .option("snapshot-property." + SnapshotMarks.EVENT_DAYS, Days.format(eventDays))
          .option("snapshot-property." + SnapshotMarks.SESSION_DAYS, Days.format(sessionDays))
          .overwrite(Days.within(col("session_start"), sessionDays));
      long written =
          SnapshotMarks.addedRecords(SnapshotMarks.load(spark, lake.table(Tables.SILVER_SESSIONS)));
      return new Result(read, eventDays, sessionDays, written);
    } catch (Exception e) {
      throw new IllegalStateException("replacing days of silver sessions failed", e);
    } finally {
      sessions.unpersist();
    }
  }

  private Dataset<Row> sessionsOf(
      SortedSet<LocalDate> loaded, SortedSet<LocalDate> eventDays, Duration gap) {
    Dataset<Row> events =
        spark
            .table(lake.table(Tables.SILVER_EVENTS))
            .filter(Days.within(col("event_ts"), loaded))
            .withColumn(
                "touched", to_date(col("event_ts")).isin(Days.sqlDates(eventDays).toArray()));
    return Sessionizer.sessions(
            events, gap, max(when(col("touched"), lit(1)).otherwise(lit(0))).as("touched"))
        .withColumn("start_day", to_date(col("session_start")))
        .withColumn("end_day", to_date(col("session_end")));
  }

  /**
   * Sessions that need more days: one with a new event whose start day is not being replaced yet,
   * and one being replaced that may continue into a day not loaded (it starts or ends within the
   * gap of a midnight whose other side is missing). Columns: start day, end day, may start earlier,
   * may end later.
   */
  private static Dataset<Row> edgeCases(
      Dataset<Row> sessions,
      SortedSet<LocalDate> sessionDays,
      SortedSet<LocalDate> loaded,
      Duration gap) {
    Object[] replaced = Days.sqlDates(sessionDays).toArray();
    Object[] loadedDays = Days.sqlDates(loaded).toArray();
    long gapMs = gap.toMillis();
    Column startsNearMidnight =
        unix_millis(col("session_start"))
            .minus(unix_millis(col("start_day").cast("timestamp")))
            .leq(gapMs);
    Column endsNearMidnight =
        unix_millis(col("end_day").plus(1).cast("timestamp"))
            .minus(unix_millis(col("session_end")))
            .leq(gapMs);
    Column mayStartEarlier =
        startsNearMidnight.and(
            org.apache
                .spark
                .sql
                .functions
                .date_sub(col("start_day"), 1)
                .isin(loadedDays)
                .unary_$bang());
    Column mayEndLater =
        endsNearMidnight.and(
            org.apache
                .spark
                .sql
                .functions
                .date_add(col("end_day"), 1)
                .isin(loadedDays)
                .unary_$bang());
    Column isReplaced = col("start_day").isin(replaced);
    return sessions
        .filter(
            col("touched")
                .equalTo(1)
                .and(isReplaced.unary_$bang())
                .or(isReplaced.and(mayStartEarlier.or(mayEndLater))))
        .select(
            col("start_day"),
            col("end_day"),
            mayStartEarlier.as("may_start_earlier"),
            mayEndLater.as("may_end_later"));
  }

  private static SortedSet<LocalDate> daysOf(Dataset<Row> rows, String timestampColumn) {
    List<Row> days = rows.select(to_date(col(timestampColumn))).distinct().collectAsList();
    SortedSet<LocalDate> set = new TreeSet<>();
    for (Row day : days) {
      set.add(day.getDate(0).toLocalDate());
    }
    return set;
  }
}
