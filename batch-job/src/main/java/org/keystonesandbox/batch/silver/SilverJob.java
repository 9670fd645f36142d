package org.keystonesandbox.batch.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.unix_millis;
import static org.apache.spark.sql.functions.when;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.SparkWriteOptions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import org.keystonesandbox.batch.bronze.KafkaOffsets;
import org.keystonesandbox.batch.lake.Days;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.Phase;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.lake.Tables;
import org.keystonesandbox.events.names.PipelineNames;

/**
 * Silver: deduplicated events and sessions, recomputed for the days that new bronze data touches.
 *
 * <p>It reads only the bronze snapshots appended since the one it last read (a mark in its own
 * snapshot summary), and:
 *
 * <ol>
 *   <li>adds to {@code silver_events} the first copy of each new event that its day does not hold
 *       yet (the copy Kafka received first: copies of an event share its key, hence its partition,
 *       and its time, hence its day), which leaves the touched days as a replacement with old plus
 *       new rows would; a rebuild deduplicates and overwrites every day instead;
 *   <li>replaces the sessions of every start day a new event can change: the touched days, widened
 *       to the start day of any session holding a new event (a late event can extend a session that
 *       began the day before) and of any held session such a session absorbed (a late event can
 *       join one that begins just after midnight), computed over the loaded days and a ring around
 *       them, and loading more while a replaced session may reach beyond, so that sessions spanning
 *       midnight, or several days, come out exactly as a full recomputation gives them.
 * </ol>
 *
 * Each step is one atomic Iceberg commit; the sessions commit carries the bronze mark and the
 * replaced days (for gold). A crash in between is repaired by the rerun, which appends nothing
 * twice and recomputes the same days from the same input.
 */
public final class SilverJob {
  /**
   * @param repairHorizon how far behind the newest event time silver holds an event may arrive and
   *     still be repaired into its day; the days entirely older are closed
   */
  public record Settings(Duration gap, boolean fullRebuild, Duration repairHorizon) {
    public static final Duration DEFAULT_REPAIR_HORIZON = Duration.ofDays(7);
    public static final Settings DEFAULTS =
        new Settings(Duration.ofMinutes(30), false, DEFAULT_REPAIR_HORIZON);

    public Settings {
      if (repairHorizon.isNegative()) {
        throw new IllegalArgumentException("the repair horizon must not be negative");
      }
    }

    public Settings(Duration gap, boolean fullRebuild) {
      this(gap, fullRebuild, DEFAULT_REPAIR_HORIZON);
    }
  }

  /**
   * What one run did; empty day sets when there was nothing new.
   *
   * @param setAside bronze rows of closed days, kept in {@code silver_beyond_horizon} instead
   */
  public record Result(
      long bronzeRowsRead,
      SortedSet<LocalDate> eventDays,
      SortedSet<LocalDate> sessionDays,
      long sessionsWritten,
      long setAside) {
    Result(
        long bronzeRowsRead,
        SortedSet<LocalDate> eventDays,
        SortedSet<LocalDate> sessionDays,
        long sessionsWritten) {
      this(bronzeRowsRead, eventDays, sessionDays, sessionsWritten, 0);
    }

    Result withSetAside(long rows) {
      return new Result(bronzeRowsRead, eventDays, sessionDays, sessionsWritten, rows);
    }
  }

  private final SparkSession spark;
  private final LakeSettings lake;

  public SilverJob(SparkSession spark, LakeSettings lake) {
    this.spark = spark;
    this.lake = lake;
  }

  public Result run(Settings settings) {
    Tables.createAll(spark, lake);
    Table bronze = SnapshotMarks.load(spark, lake.table(PipelineNames.BRONZE_EVENTS));
    Table sessionsTable = SnapshotMarks.load(spark, lake.table(PipelineNames.SILVER_SESSIONS));
    Long bronzeNow = SnapshotMarks.currentSnapshotId(bronze, branchOf(bronze));
    Long readUpTo =
        SnapshotMarks.snapshotIdMark(
            sessionsTable, branchOf(sessionsTable), SnapshotMarks.BRONZE_SNAPSHOT);
    if (bronzeNow == null || (!settings.fullRebuild() && bronzeNow.equals(readUpTo))) {
      return new Result(0, new TreeSet<>(), new TreeSet<>(), 0);
    }
    Long after = readUpTo == null || settings.fullRebuild() ? null : readUpTo;
    BronzeIncrement increment = BronzeIncrement.plan(bronze, after, bronzeNow);
    if (increment.days().isEmpty()) {
      return new Result(increment.rows(), increment.days(), new TreeSet<>(), 0);
    }
    Dataset<Row> rows = bronzeRows(after, bronzeNow);
    long setAside = 0;
    SortedSet<LocalDate> days = increment.days();
    if (after != null) {
      SortedSet<LocalDate> closed = closedDays(sessionsTable, days, settings.repairHorizon());
      if (!closed.isEmpty()) {
        Dataset<Row> all = rows;
        setAside =
            Phase.timed(
                "silver: events of " + closed.size() + " closed days set aside",
                () -> setAside(all, closed, settings.repairHorizon()));
        days = new TreeSet<>(days);
        days.removeAll(closed);
        if (days.isEmpty()) {
          markRead(sessionsTable, branchOf(sessionsTable), bronzeNow, highWater(sessionsTable));
          return new Result(increment.rows(), days, new TreeSet<>(), 0, setAside);
        }
        rows = rows.filter(Days.within(col("event_ts"), closed).unary_$bang());
      }
    }
    return process(settings, increment.rows(), days, rows, after, bronze, bronzeNow)
        .withSetAside(setAside);
  }

  private Result process(
      Settings settings,
      long read,
      SortedSet<LocalDate> days,
      Dataset<Row> rows,
      Long after,
      Table bronze,
      long bronzeNow) {
    if (after == null) {
      Phase.timed(
          "silver: events of " + days.size() + " days rebuilt", () -> rebuildEvents(rows, days));
    } else {
      Phase.timed(
          "silver: new events of " + days.size() + " days added", () -> addNewEvents(rows, days));
    }
    // The events this run added are those Kafka delivered after what bronze held when silver last
    // read it: their kept copies carry later offsets. A column predicate, not a join.
    Column isNew =
        after == null
            ? lit(true)
            : SnapshotMarks.latestAsOf(bronze, after, SnapshotMarks.KAFKA_OFFSETS)
                .map(offsets -> KafkaOffsets.parse(offsets).notReadYet())
                .orElse(lit(true));
    return replaceSessions(
        settings.gap(), days, after != null, isNew, read, bronzeNow, newestEventTime());
  }

  /**
   * The days of the increment that are closed: entirely older than the newest event time silver
   * held when its last run committed, minus the horizon. Their events cannot be repaired into them.
   */
  private SortedSet<LocalDate> closedDays(
      Table sessions, SortedSet<LocalDate> days, Duration horizon) {
    SortedSet<LocalDate> closed = new TreeSet<>();
    Long newest = highWater(sessions);
    if (newest == null) {
      return closed;
    }
    Instant boundary = Instant.ofEpochMilli(newest).minus(horizon);
    for (LocalDate day : days) {
      if (!day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().isAfter(boundary)) {
        closed.add(day);
      }
    }
    return closed;
  }

  /**
   * Appends the closed days' rows to {@code silver_beyond_horizon} with the reason, once each (a
   * rerun of the same increment adds nothing); returns how many rows this run added.
   */
  private long setAside(Dataset<Row> rows, SortedSet<LocalDate> closed, Duration horizon)
      throws NoSuchTableException {
    String table = lake.table(PipelineNames.SILVER_BEYOND_HORIZON);
    Dataset<Row> held = spark.table(table).select(col("kafka_partition"), col("kafka_offset"));
    Dataset<Row> beyond =
        rows.filter(Days.within(col("event_ts"), closed))
            .join(held, new String[] {"kafka_partition", "kafka_offset"}, "left_anti")
            .withColumn(
                "reason",
                lit(
                    "its day is closed: more than the repair horizon ("
                        + horizon
                        + ") older than the newest event silver held"));
    Table before = SnapshotMarks.load(spark, table);
    Long snapshotBefore = SnapshotMarks.currentSnapshotId(before, branchOf(before));
    Tables.conformTo(spark, table, beyond).writeTo(table).append();
    Table after = SnapshotMarks.load(spark, table);
    String branch = branchOf(after);
    return java.util.Objects.equals(snapshotBefore, SnapshotMarks.currentSnapshotId(after, branch))
        ? 0
        : SnapshotMarks.addedRecords(after, branch);
  }

  /**
   * The newest event time silver held when its last run committed (a lake written before the mark
   * existed: the newest it holds now); null for an empty silver.
   */
  private Long highWater(Table sessions) {
    Optional<String> mark =
        SnapshotMarks.latest(sessions, branchOf(sessions), SnapshotMarks.HIGH_WATER);
    if (mark.isPresent()) {
      return mark.get().isEmpty() ? null : Long.valueOf(mark.get());
    }
    return newestEventTime();
  }

  private Long newestEventTime() {
    Row newest =
        spark.table(lake.table(PipelineNames.SILVER_EVENTS)).agg(max(col("event_ts"))).first();
    return newest.isNullAt(0) ? null : newest.getTimestamp(0).getTime();
  }

  /**
   * The branch this job reads and writes {@code table} on: main, or the session's
   * write-audit-publish branch.
   */
  private String branchOf(Table table) {
    return SnapshotMarks.branch(spark, table);
  }

  /** Records that silver has read bronze up to {@code bronzeSnapshot}, changing no day. */
  private static void markRead(Table sessions, String branch, long bronzeSnapshot, Long highWater) {
    sessions
        .newAppend()
        .toBranch(branch)
        .set(SnapshotMarks.BRONZE_SNAPSHOT, Long.toString(bronzeSnapshot))
        .set(SnapshotMarks.HIGH_WATER, highWater == null ? "" : highWater.toString())
        .set(SnapshotMarks.EVENT_DAYS, "")
        .set(SnapshotMarks.SESSION_DAYS, "")
        .commit();
  }

  private Dataset<Row> bronzeRows(Long afterSnapshot, long upToSnapshot) {
    var reader = spark.read().format("iceberg");
    if (afterSnapshot == null) {
      reader = reader.option("snapshot-id", upToSnapshot);
    } else {
      reader =
          reader.option("start-snapshot-id", afterSnapshot).option("end-snapshot-id", upToSnapshot);
    }
    return Tables.conformTo(
        spark,
        lake.table(PipelineNames.SILVER_EVENTS),
        reader.load(lake.table(PipelineNames.BRONZE_EVENTS)));
  }

  /** One row per event_id: the copy Kafka received first. */
  private static Dataset<Row> firstCopies(Dataset<Row> events) {
    return firstCopyPer(events, col("event_id"));
  }

  /**
   * One row per event_id, the copy Kafka received first, in one shuffle by day: the copies of an
   * event share its day, so each day's rows, deduplicated, come out together in one task, as the
   * partitioned write needs them (Iceberg's own distribution by day would shuffle them again).
   */
  private static Dataset<Row> firstCopiesClusteredByDay(Dataset<Row> events) {
    Dataset<Row> byDay =
        events.withColumn("event_day", to_date(col("event_ts"))).repartition(col("event_day"));
    return firstCopyPer(byDay, col("event_day"), col("event_id")).drop("event_day");
  }

  /** The copy Kafka received first of the rows that share {@code sameEvent}. */
  private static Dataset<Row> firstCopyPer(Dataset<Row> events, Column... sameEvent) {
    return events
        .withColumn(
            "copy",
            row_number()
                .over(
                    Window.partitionBy(sameEvent)
                        .orderBy(col("kafka_partition"), col("kafka_offset"))))
        .filter(col("copy").equalTo(1))
        .drop("copy");
  }

  /**
   * Full rebuild: bronze's events, deduplicated, replace the days. Every row silver holds came from
   * bronze (an erased user's rows left both), so bronze alone rebuilds them: silver's own rows
   * would double what the deduplication shuffles and change nothing.
   */
  private void rebuildEvents(Dataset<Row> bronzeRows, SortedSet<LocalDate> days)
      throws NoSuchTableException {
    firstCopiesClusteredByDay(bronzeRows)
        .writeTo(lake.table(PipelineNames.SILVER_EVENTS))
        .option(SparkWriteOptions.DISTRIBUTION_MODE, DistributionMode.NONE.modeName())
        .overwrite(Days.within(col("event_ts"), days));
  }

  /**
   * Incremental: the new rows' first copies that the touched days do not hold yet are appended. The
   * days end up as a replacement would leave them (the copy already held came earlier in Kafka), at
   * the cost of the new rows and the days' event ids only; a rerun appends nothing.
   */
  private void addNewEvents(Dataset<Row> bronzeRows, SortedSet<LocalDate> days)
      throws NoSuchTableException {
    String table = lake.table(PipelineNames.SILVER_EVENTS);
    Dataset<Row> held =
        spark.table(table).filter(Days.within(col("event_ts"), days)).select(col("event_id"));
    firstCopies(bronzeRows)
        .join(held, new String[] {"event_id"}, "left_anti")
        .writeTo(table)
        .append();
  }

  /**
   * @param isIncremental whether the days' sessions held now came from the same events minus the
   *     new ones (not in a rebuild)
   * @param isNew true for the events this run added (all of them in a rebuild)
   */
  private Result replaceSessions(
      Duration gap,
      SortedSet<LocalDate> eventDays,
      boolean isIncremental,
      Column isNew,
      long read,
      long bronzeSnapshot,
      Long highWater) {
    SortedSet<LocalDate> sessionDays = new TreeSet<>(eventDays);
    // The day before each touched day is loaded from the start: a late event most often joins a
    // session that began the day before, whose day is then replaced, and re-sessionizing costs
    // more than loading it. The day after is replaced only when a new event merged a session that
    // began there into an earlier one, which is rare; the ring covers the sessions running into it.
    SortedSet<LocalDate> loaded = new TreeSet<>(eventDays);
    eventDays.forEach(day -> loaded.add(day.minusDays(1)));
    Days.Ring ring = ring(gap);
    if (isIncremental) {
      loaded.addAll(daysHeldSessionsReach(loaded, ring, gap));
    }
    Dataset<Row> sessions = null;
    boolean reload = true;
    while (reload) {
      if (sessions != null) {
        sessions.unpersist();
      }
      sessions = sessionsOf(loaded, ring, isNew, gap).persist(StorageLevel.MEMORY_AND_DISK());
      Dataset<Row> edges = edgeCases(sessions, sessionDays, loaded, ring, gap);
      if (isIncremental) {
        edges = edges.unionByName(absorbedSessionDays(sessions, sessionDays, loaded, ring));
      }
      List<Row> found =
          Phase.timed(
              "silver: sessions of " + loaded.size() + " days checked for " + sessionDays.size(),
              edges::collectAsList);
      // The days to replace first, then the days the sessions of every replaced day reach: the
      // sessions at hand need no second look unless more days are loaded.
      reload = false;
      for (Row edge : found) {
        if (edge.getBoolean(2)) {
          sessionDays.add(edge.getDate(0).toLocalDate());
          reload |= loaded.add(edge.getDate(0).toLocalDate());
        }
      }
      for (Row edge : found) {
        if (edge.getBoolean(3) && sessionDays.contains(edge.getDate(0).toLocalDate())) {
          for (LocalDate day : Days.through(edge.getDate(0), edge.getDate(1))) {
            reload |= loaded.add(day);
          }
        }
      }
    }
    try {
      Dataset<Row> replacement =
          Sessionizer.inTableOrder(
              sessions.filter(col("start_day").isin(Days.sqlDates(sessionDays).toArray())));
      Phase.timed(
          "silver: sessions of " + sessionDays.size() + " days replaced",
          () ->
              replacement
                  .writeTo(lake.table(PipelineNames.SILVER_SESSIONS))
                  .option("snapshot-property." + SnapshotMarks.BRONZE_SNAPSHOT, bronzeSnapshot)
                  .option(
                      "snapshot-property." + SnapshotMarks.HIGH_WATER,
                      highWater == null ? "" : highWater.toString())
                  .option("snapshot-property." + SnapshotMarks.EVENT_DAYS, Days.format(eventDays))
                  .option(
                      "snapshot-property." + SnapshotMarks.SESSION_DAYS, Days.format(sessionDays))
                  .overwrite(Days.within(col("session_start"), sessionDays)));
      Table sessionsTable = SnapshotMarks.load(spark, lake.table(PipelineNames.SILVER_SESSIONS));
      long written = SnapshotMarks.addedRecords(sessionsTable, branchOf(sessionsTable));
      return new Result(read, eventDays, sessionDays, written);
    } finally {
      sessions.unpersist();
    }
  }

  /**
   * The days to load, beyond the loaded ones, for the ring to cover where the sessions silver
   * holds, starting on the loaded days, reach with their gap: where the same sessions, recomputed
   * with the new events, most likely reach too. Loading those days from the start saves the second
   * round that would find them (a heavy viewer's session running on past the next noon); the rounds
   * still decide what is loaded.
   */
  private SortedSet<LocalDate> daysHeldSessionsReach(
      SortedSet<LocalDate> loaded, Days.Ring ring, Duration gap) {
    Column reach = unix_millis(col("session_end")).plus(gap.toMillis());
    Dataset<Row> beyond =
        spark
            .table(lake.table(PipelineNames.SILVER_SESSIONS))
            .filter(Days.within(col("session_start"), loaded))
            .filter(reach.geq(unix_millis(Days.ringEnd(col("session_start"), loaded, ring))))
            .select(
                to_date(col("session_start")),
                to_date(timestamp_millis(reach.minus(ring.after().toMillis()))));
    SortedSet<LocalDate> days = new TreeSet<>();
    for (Row row : Phase.timed("silver: days the held sessions reach", beyond::collectAsList)) {
      days.addAll(Days.through(row.getDate(0), row.getDate(1)));
    }
    return days;
  }

  /**
   * How far beyond the loaded days events are loaded. Before them, one gap: whether a loaded day's
   * first session continues one from the day before is known then (if it does, that session starts
   * on the day before, whose events a replacement loads whole: more of the day before would only be
   * sessionized for nothing). After them, more than the gap, so that a session running on past
   * midnight is usually seen whole without another round.
   */
  private static Days.Ring ring(Duration gap) {
    Duration halfADay = Duration.ofHours(12);
    return new Days.Ring(
        gap, gap.multipliedBy(2).compareTo(halfADay) > 0 ? gap.multipliedBy(2) : halfADay);
  }

  /** Whether a session from {@link #sessionsOf} holds an event this run added. */
  private static final Column HOLDS_NEW_EVENT = col("touched").equalTo(1);

  /**
   * Sessions of the events of the loaded days and of a ring around each run of them, with their
   * start day and whether they hold a new event.
   */
  private Dataset<Row> sessionsOf(
      SortedSet<LocalDate> loaded, Days.Ring ring, Column isNew, Duration gap) {
    Dataset<Row> events =
        spark
            .table(lake.table(PipelineNames.SILVER_EVENTS))
            .filter(Days.withinRing(col("event_ts"), loaded, ring))
            .withColumn("new", when(isNew, lit(1)).otherwise(lit(0)));
    return Sessionizer.sessions(events, gap, max(col("new")).as("touched"))
        .withColumn("start_day", to_date(col("session_start")));
  }

  /**
   * Sessions that need more days: their start day, the last day they may reach, whether their start
   * day must be replaced, and whether they may reach past the loaded ring. A session holding a new
   * event has its start day replaced: it may start on a day not replaced yet (a late event extended
   * a session from the day before). A session of a loaded day whose gap reaches past the ring may
   * go on: if its day is replaced, the days up to where its gap reaches are loaded. A replaced
   * day's session cannot start before the ring: the ring is at least one gap wide.
   */
  private static Dataset<Row> edgeCases(
      Dataset<Row> sessions,
      SortedSet<LocalDate> sessionDays,
      SortedSet<LocalDate> loaded,
      Days.Ring ring,
      Duration gap) {
    Column reach = unix_millis(col("session_end")).plus(gap.toMillis());
    Column mayReachBeyond =
        col("start_day")
            .isin(Days.sqlDates(loaded).toArray())
            .and(reach.geq(unix_millis(Days.ringEnd(col("session_start"), loaded, ring))));
    Column replaceMore =
        HOLDS_NEW_EVENT.and(
            col("start_day").isin(Days.sqlDates(sessionDays).toArray()).unary_$bang());
    return sessions
        .filter(replaceMore.or(mayReachBeyond))
        .select(
            col("start_day"),
            when(mayReachBeyond, to_date(timestamp_millis(reach)))
                .otherwise(col("start_day"))
                .as("last_day"),
            replaceMore.as("replace"),
            mayReachBeyond.as("reaches"));
  }

  /**
   * The days, not replaced yet, of the sessions silver holds that a session holding a new event
   * absorbed: a new event bridged the gap between them, so the held session's row, on its own start
   * day, must go. A held session that shares no event with a recomputed one is unchanged: adding
   * events never splits a session, and one that gained an event or merged holds a new event.
   */
  private Dataset<Row> absorbedSessionDays(
      Dataset<Row> sessions,
      SortedSet<LocalDate> sessionDays,
      SortedSet<LocalDate> loaded,
      Days.Ring ring) {
    Dataset<Row> touched =
        sessions
            .filter(HOLDS_NEW_EVENT)
            .select(
                col("user_id").as("touched_user"),
                col("session_start").as("touched_start"),
                col("session_end").as("touched_end"));
    Dataset<Row> held =
        spark
            .table(lake.table(PipelineNames.SILVER_SESSIONS))
            .filter(Days.withinRing(col("session_start"), loaded, ring))
            .filter(Days.within(col("session_start"), sessionDays).unary_$bang())
            .select(col("user_id"), col("session_start"));
    Column heldStartDay = to_date(col("session_start"));
    return held.join(
            touched,
            col("user_id")
                .equalTo(col("touched_user"))
                .and(col("session_start").gt(col("touched_start")))
                .and(col("session_start").leq(col("touched_end"))))
        .select(
            heldStartDay.as("start_day"),
            heldStartDay.as("last_day"),
            lit(true).as("replace"),
            lit(false).as("reaches"))
        .distinct();
  }
}
