package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.SILVER_EVENTS;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.ViewingEvent;

/**
 * The same row-level change (a MERGE of corrections and late events) on a copy-on-write and a
 * merge-on-read table: what each writes, how long each takes to write and to read, and compaction
 * folding merge-on-read's delete files back.
 */
final class CowVsMorLab implements Lab {
  static final int CORRECTED = 150;
  static final int ADDED = 50;
  static final long CORRECTION_MS = 1_000;

  @Override
  public String name() {
    return "cow-vs-mor";
  }

  @Override
  public String summary() {
    return "one MERGE under copy-on-write and merge-on-read: files, bytes, write and read time";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    report.step("The generator writes 6,000 events over four days; the chain builds silver");
    run.produce(
        "--count", "6000", "--rate", "12", "--users", "400", "--late-rate", "0", "--seed", "11");
    run.chain();
    run.checkPipelineExact("after the first run");
    String silver = run.table(SILVER_EVENTS);
    String corrections = run.table("corrections");
    LocalDate dayOne = LabRun.day(run.truth().get(0));

    report.step(
        "Two copies of silver_events, partitioned by day: one copy-on-write, one merge-on-read");
    List<String> tables = new ArrayList<>();
    for (String mode : List.of("copy-on-write", "merge-on-read")) {
      String table = run.table("events_" + (mode.startsWith("copy") ? "cow" : "mor"));
      String create =
          ("CREATE TABLE %s USING iceberg PARTITIONED BY (days(event_ts)) TBLPROPERTIES"
                  + " ('format-version'='2', 'write.delete.mode'='%s', 'write.update.mode'='%s',"
                  + " 'write.merge.mode'='%s') AS SELECT event_id, user_id, title_id, country,"
                  + " event_type, play_ms, event_ts FROM %s")
              .formatted(table, mode, mode, mode, silver);
      run.spark().sql(create);
      tables.add(table);
    }
    report.query("SHOW TBLPROPERTIES " + tables.get(1) + " ('write.merge.mode')");

    report.step(
        "A batch of "
            + CORRECTED
            + " corrected heartbeats of day one (play_ms re-sent) and "
            + ADDED
            + " late ones, merged by event_id into each table");
    String makeCorrections =
        ("CREATE TABLE %1$s USING iceberg AS"
                + " SELECT event_id, user_id, title_id, country, event_type, play_ms + %2$d AS play_ms, event_ts"
                + " FROM (SELECT * FROM %3$s WHERE event_type = 'heartbeat' AND to_date(event_ts) = DATE '%4$s'"
                + " ORDER BY event_id LIMIT %5$d)"
                + " UNION ALL SELECT concat('late-', event_id), user_id, title_id, country, event_type, play_ms,"
                + " event_ts + INTERVAL 1 MILLISECOND"
                + " FROM (SELECT * FROM %3$s WHERE event_type = 'heartbeat' AND to_date(event_ts) = DATE '%4$s'"
                + " ORDER BY event_id DESC LIMIT %6$d)")
            .formatted(corrections, CORRECTION_MS, silver, dayOne, CORRECTED, ADDED);
    run.spark().sql(makeCorrections);
    report.query(makeCorrections);
    List<List<Object>> written = new ArrayList<>();
    Map<String, Long> mergeMillis = new TreeMap<>();
    for (String table : tables) {
      String merge =
          ("MERGE INTO %s t USING %s s ON t.event_id = s.event_id"
                  + " WHEN MATCHED THEN UPDATE SET t.play_ms = s.play_ms"
                  + " WHEN NOT MATCHED THEN INSERT *")
              .formatted(table, corrections);
      long started = System.nanoTime();
      run.spark().sql(merge);
      long millis = (System.nanoTime() - started) / 1_000_000;
      mergeMillis.put(table, millis);
      Table iceberg = SnapshotMarks.load(run.spark(), table);
      written.add(
          List.of(
              LabRun.shortName(table),
              LakeFigures.summary(iceberg, "added-data-files"),
              LakeFigures.summary(iceberg, "deleted-data-files"),
              LakeFigures.summary(iceberg, "added-delete-files"),
              LakeFigures.summary(iceberg, "added-files-size"),
              millis));
      if (table.endsWith("mor")) {
        report.query(merge);
      }
    }
    report.table(
        List.of(
            "table",
            "data files written",
            "data files replaced",
            "delete files written",
            "bytes written",
            "MERGE ms"),
        written);

    report.step("Reading each table: events and watch time by day (median of 3 reads)");
    Map<String, List<DayFigures>> results = new TreeMap<>();
    List<List<Object>> reads = new ArrayList<>();
    for (String table : tables) {
      String query = byDay(table);
      results.put(table, DayFigures.read(run, query));
      Table iceberg = SnapshotMarks.load(run.spark(), table);
      reads.add(
          List.of(
              LabRun.shortName(table),
              LakeFigures.summary(iceberg, "total-data-files"),
              LakeFigures.summary(iceberg, "total-delete-files"),
              LakeFigures.medianMillis(3, () -> run.spark().sql(query).collectAsList())));
    }
    report.table(List.of("table", "live data files", "live delete files", "read ms"), reads);
    report.query(byDay(tables.get(1)));
    report.query("SELECT content, count(*) FROM " + tables.get(1) + ".all_files GROUP BY content");

    List<DayFigures> expected = expectedByDay(run.truth(), dayOne);
    String cow = tables.get(0);
    String mor = tables.get(1);
    report.check(
        "copy-on-write equals the oracle (events and watch time by day)",
        results.get(cow).equals(expected),
        expected.size() + " days");
    report.check(
        "merge-on-read equals the oracle",
        results.get(mor).equals(expected),
        expected.size() + " days");
    Table cowTable = SnapshotMarks.load(run.spark(), cow);
    Table morTable = SnapshotMarks.load(run.spark(), mor);
    report.check(
        "copy-on-write rewrote data files and wrote no delete file",
        LakeFigures.summary(cowTable, "deleted-data-files") > 0
            && LakeFigures.summary(cowTable, "total-delete-files") == 0,
        "");
    report.check(
        "merge-on-read wrote delete files and replaced no data file",
        LakeFigures.summary(morTable, "added-delete-files") > 0
            && LakeFigures.summary(morTable, "deleted-data-files") == 0,
        "");
    report.check(
        "merge-on-read wrote fewer bytes than copy-on-write",
        LakeFigures.summary(morTable, "added-files-size")
            < LakeFigures.summary(cowTable, "added-files-size"),
        LakeFigures.summary(morTable, "added-files-size")
            + " < "
            + LakeFigures.summary(cowTable, "added-files-size"));

    report.step("Compaction folds merge-on-read's deletes back into its data files");
    String compact =
        "CALL lake.system.rewrite_data_files(table => '"
            + mor
            + "', options => map('delete-file-threshold', '1', 'remove-dangling-deletes', 'true',"
            + " 'use-starting-sequence-number', 'false'))";
    run.spark().sql(compact).collectAsList();
    report.query(compact);
    morTable.refresh();
    long readAfter = LakeFigures.medianMillis(3, () -> run.spark().sql(byDay(mor)).collectAsList());
    report.table(
        List.of("table", "live data files", "live delete files", "read ms"),
        List.of(
            List.of(
                LabRun.shortName(mor) + " after compaction",
                LakeFigures.summary(morTable, "total-data-files"),
                LakeFigures.summary(morTable, "total-delete-files"),
                readAfter)));
    report.check(
        "after compaction merge-on-read has no live delete file and still equals the oracle",
        LakeFigures.summary(morTable, "total-delete-files") == 0
            && DayFigures.read(run, byDay(mor)).equals(expected),
        "");
  }

  private static String byDay(String table) {
    return "SELECT to_date(event_ts) AS day, count(*) AS events, sum(play_ms) AS watch_ms FROM "
        + table
        + " GROUP BY 1 ORDER BY 1";
  }

  /** One day's events and watch time. */
  record DayFigures(LocalDate day, long events, long watchMs) {
    static List<DayFigures> read(LabRun run, String query) {
      return run.spark().sql(query).collectAsList().stream()
          .map(r -> new DayFigures(r.getDate(0).toLocalDate(), r.getLong(1), r.getLong(2)))
          .toList();
    }
  }

  /** Events and watch time by day after the corrections and the late events, from the truth. */
  static List<DayFigures> expectedByDay(List<ViewingEvent> truth, LocalDate dayOne) {
    Comparator<ViewingEvent> byId = Comparator.comparing(ViewingEvent::eventId);
    List<ViewingEvent> dayOneHeartbeats =
        truth.stream()
            .filter(e -> e.eventType() == EventType.HEARTBEAT && LabRun.day(e).equals(dayOne))
            .toList();
    Set<String> corrected = new HashSet<>();
    dayOneHeartbeats.stream()
        .sorted(byId)
        .limit(CORRECTED)
        .forEach(e -> corrected.add(e.eventId()));
    List<ViewingEvent> added =
        dayOneHeartbeats.stream().sorted(byId.reversed()).limit(ADDED).toList();
    Map<LocalDate, long[]> byDay = new TreeMap<>();
    for (ViewingEvent e : truth) {
      long[] figures = byDay.computeIfAbsent(LabRun.day(e), d -> new long[2]);
      figures[0]++;
      figures[1] += e.playMs() + (corrected.contains(e.eventId()) ? CORRECTION_MS : 0);
    }
    for (ViewingEvent e : added) {
      LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(e.eventTs() + 1), ZoneOffset.UTC);
      long[] figures = byDay.computeIfAbsent(day, d -> new long[2]);
      figures[0]++;
      figures[1] += e.playMs();
    }
    List<DayFigures> days = new ArrayList<>();
    byDay.forEach((day, f) -> days.add(new DayFigures(day, f[0], f[1])));
    return days;
  }
}
