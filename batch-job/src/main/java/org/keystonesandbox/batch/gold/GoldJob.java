package org.keystonesandbox.batch.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_date;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.keystonesandbox.batch.lake.Days;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.Phase;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.lake.Tables;
import org.keystonesandbox.events.names.PipelineNames;

/**
 * Gold: daily title × country figures and daily user engagement, recomputed for the days silver
 * replaced since gold last ran (read from the marks silver left in its snapshots).
 *
 * <p>Completions need each playback's first completing event, which may lie on another day than the
 * events at hand, so gold keeps them in {@code gold_playback_completions} and merges new ones in
 * (earliest wins). When a late event moves a completion to an earlier day, the day it left is
 * recomputed too. Commits, in order: the title × country days, the completions merge, the user days
 * with the silver mark. A crash anywhere is repaired by the rerun, which recomputes the same days
 * from the same silver snapshots.
 */
public final class GoldJob {
  public record Settings(
      Path titlesFile,
      JoinStrategy joinStrategy,
      int saltBuckets,
      long skewThresholdBytes,
      boolean fullRebuild) {
    public Settings(Path titlesFile) {
      this(titlesFile, JoinStrategy.BROADCAST, 8, 4L << 20, false);
    }
  }

  public record Result(SortedSet<LocalDate> days, long titleCountryRows, long userDayRows) {}

  private final SparkSession spark;
  private final LakeSettings lake;

  public GoldJob(SparkSession spark, LakeSettings lake) {
    this.spark = spark;
    this.lake = lake;
  }

  public Result run(Settings settings) throws Exception {
    Tables.createAll(spark, lake);
    Table silverSessions = SnapshotMarks.load(spark, lake.table(PipelineNames.SILVER_SESSIONS));
    Table userDaily = SnapshotMarks.load(spark, lake.table(PipelineNames.GOLD_USER_DAILY));
    String silverBranch = SnapshotMarks.branch(spark, silverSessions);
    String goldBranch = SnapshotMarks.branch(spark, userDaily);
    Long silverNow = SnapshotMarks.currentSnapshotId(silverSessions, silverBranch);
    Long readUpTo =
        SnapshotMarks.snapshotIdMark(userDaily, goldBranch, SnapshotMarks.SILVER_SNAPSHOT);
    if (silverNow == null || (!settings.fullRebuild() && silverNow.equals(readUpTo))) {
      return new Result(new TreeSet<>(), 0, 0);
    }
    boolean everyDay = settings.fullRebuild() || readUpTo == null;
    Changes changes =
        everyDay
            ? Changes.everything(allSilverDays())
            : changes(silverSessions, silverBranch, readUpTo);
    SortedSet<LocalDate> days = changes.days();
    SortedSet<LocalDate> eventDays = changes.eventDays();
    // Everything cached here is released in finally, whether the run succeeds or fails.
    List<Dataset<Row>> cached = new ArrayList<>();
    Dataset<Row> titles = TitleDimension.load(spark, settings.titlesFile()).cache();
    cached.add(titles);
    try (AutoCloseable strategy =
        settings.joinStrategy().configure(spark, settings.skewThresholdBytes())) {
      Dataset<Row> completions = spark.table(lake.table(PipelineNames.GOLD_COMPLETIONS));
      Dataset<Row> joined = eventsWithTitles(eventDays, titles, settings, cached);
      Dataset<Row> newCompletions = GoldMetrics.firstCompletions(joined).persist(storage());
      cached.add(newCompletions);
      SortedSet<LocalDate> movedFrom =
          Phase.timed(
              "gold: completions of " + eventDays.size() + " days found",
              () -> completionDaysMovedEarlier(completions, newCompletions));
      // Days recomputed from their events: those with new events and those a completion left.
      // The other changed days only had their sessions replaced: their rows are recounted.
      SortedSet<LocalDate> titleDays = new TreeSet<>(eventDays);
      titleDays.addAll(movedFrom);
      SortedSet<LocalDate> titleDaysRecounted = new TreeSet<>(days);
      titleDaysRecounted.removeAll(titleDays);
      if (!eventDays.containsAll(movedFrom)) {
        joined = eventsWithTitles(titleDays, titles, settings, cached);
      }
      Column onTitleDays = Days.within(col("completed_at"), titleDays);
      // On every day, all held completions take part anyway; on some days, only those on the days
      // and those of the new playbacks, which spares aggregating every completion gold holds.
      Dataset<Row> completedOnTitleDays =
          everyDay
              ? GoldMetrics.earliest(completions, newCompletions).filter(onTitleDays)
              : GoldMetrics.earliestOn(completions, newCompletions, onTitleDays);
      SortedSet<LocalDate> titleCountryDays = new TreeSet<>(titleDays);
      titleCountryDays.addAll(titleDaysRecounted);
      Dataset<Row> titleCountryRows =
          GoldMetrics.titleCountryDaily(
              joined,
              completedOnTitleDays,
              held(PipelineNames.GOLD_TITLE_COUNTRY_DAILY, titleDaysRecounted),
              sessionsStartingOn(titleCountryDays),
              titles);
      Phase.timed(
          "gold: title x country of " + titleCountryDays.size() + " days replaced",
          () ->
              titleCountryRows
                  .writeTo(lake.table(PipelineNames.GOLD_TITLE_COUNTRY_DAILY))
                  .overwrite(col("day").isin(Days.sqlDates(titleCountryDays).toArray())));
      Table titleCountryTable =
          SnapshotMarks.load(spark, lake.table(PipelineNames.GOLD_TITLE_COUNTRY_DAILY));
      long titleRows =
          SnapshotMarks.addedRecords(
              titleCountryTable, SnapshotMarks.branch(spark, titleCountryTable));
      Phase.timed("gold: completions merged", () -> mergeCompletions(newCompletions));
      SortedSet<LocalDate> userDaysRecounted = new TreeSet<>(days);
      userDaysRecounted.removeAll(eventDays);
      Dataset<Row> users =
          GoldMetrics.userDaily(
              joined.filter(Days.within(col("event_ts"), eventDays)),
              held(PipelineNames.GOLD_USER_DAILY, userDaysRecounted),
              sessionsStartingOn(days));
      Phase.timed(
          "gold: user days of " + days.size() + " days replaced",
          () ->
              users
                  .writeTo(lake.table(PipelineNames.GOLD_USER_DAILY))
                  .option("snapshot-property." + SnapshotMarks.SILVER_SNAPSHOT, silverNow)
                  .overwrite(col("day").isin(Days.sqlDates(days).toArray())));
      return new Result(
          titleCountryDays, titleRows, SnapshotMarks.addedRecords(userDaily, goldBranch));
    } finally {
      cached.forEach(Dataset::unpersist);
    }
  }

  /**
   * The silver days gold recomputes: those whose events changed, and those whose sessions alone
   * were replaced (a neighbour of a day with new events).
   *
   * @param days every changed day
   * @param eventDays the days whose events changed, a subset
   */
  record Changes(SortedSet<LocalDate> days, SortedSet<LocalDate> eventDays) {
    static Changes everything(SortedSet<LocalDate> days) {
      return new Changes(days, days);
    }
  }

  /** Gold's rows of {@code days} in {@code table}, as it holds them before this run. */
  private Dataset<Row> held(String table, SortedSet<LocalDate> days) {
    return spark.table(lake.table(table)).filter(col("day").isin(Days.sqlDates(days).toArray()));
  }

  private static StorageLevel storage() {
    return StorageLevel.MEMORY_AND_DISK();
  }

  /**
   * The days' events with their titles, which three figures read. With a broadcast join they are
   * read from silver again for each: three scans of the columns gold uses cost less than building
   * Spark's in-memory copy of them once. A join that shuffles the events is cached (in {@code
   * cached}), so that it runs once.
   */
  private Dataset<Row> eventsWithTitles(
      SortedSet<LocalDate> days,
      Dataset<Row> titles,
      Settings settings,
      List<Dataset<Row>> cached) {
    Dataset<Row> events =
        spark
            .table(lake.table(PipelineNames.SILVER_EVENTS))
            .filter(Days.within(col("event_ts"), days));
    Dataset<Row> joined =
        GoldMetrics.withTitles(events, titles, settings.joinStrategy(), settings.saltBuckets());
    if (settings.joinStrategy() == JoinStrategy.BROADCAST) {
      return joined;
    }
    cached.add(joined.persist(storage()));
    return joined;
  }

  private Dataset<Row> sessionsStartingOn(SortedSet<LocalDate> days) {
    return spark
        .table(lake.table(PipelineNames.SILVER_SESSIONS))
        .filter(Days.within(col("session_start"), days));
  }

  private SortedSet<LocalDate> allSilverDays() {
    SortedSet<LocalDate> days = new TreeSet<>();
    for (Row row :
        spark
            .table(lake.table(PipelineNames.SILVER_EVENTS))
            .select(to_date(col("event_ts")))
            .distinct()
            .collectAsList()) {
      days.add(row.getDate(0).toLocalDate());
    }
    return days;
  }

  private static Changes changes(Table silverSessions, String branch, long readUpTo) {
    SortedSet<LocalDate> days = new TreeSet<>();
    SortedSet<LocalDate> eventDays = new TreeSet<>();
    for (Snapshot snapshot : SnapshotMarks.newerThan(silverSessions, branch, readUpTo)) {
      eventDays.addAll(Days.parse(snapshot.summary().get(SnapshotMarks.EVENT_DAYS)));
      days.addAll(Days.parse(snapshot.summary().get(SnapshotMarks.SESSION_DAYS)));
    }
    days.addAll(eventDays);
    return new Changes(days, eventDays);
  }

  /** Days that lose a completion because a playback now completes earlier. */
  private static SortedSet<LocalDate> completionDaysMovedEarlier(
      Dataset<Row> completions, Dataset<Row> newCompletions) {
    Dataset<Row> moved =
        completions
            .as("old")
            .join(
                newCompletions.as("new"),
                col("old.playback_id")
                    .equalTo(col("new.playback_id"))
                    .and(col("new.completed_at").lt(col("old.completed_at"))))
            .select(to_date(col("old.completed_at")))
            .distinct();
    SortedSet<LocalDate> days = new TreeSet<>();
    for (Row row : moved.collectAsList()) {
      days.add(row.getDate(0).toLocalDate());
    }
    return days;
  }

  private void mergeCompletions(Dataset<Row> newCompletions) {
    newCompletions.createOrReplaceTempView("new_completions");
    spark.sql(
        """
        MERGE INTO %s t USING new_completions s ON t.playback_id = s.playback_id
        WHEN MATCHED AND s.completed_at < t.completed_at THEN
          UPDATE SET t.completed_at = s.completed_at
        WHEN NOT MATCHED THEN INSERT *
        """
            .formatted(lake.table(PipelineNames.GOLD_COMPLETIONS)));
  }
}
