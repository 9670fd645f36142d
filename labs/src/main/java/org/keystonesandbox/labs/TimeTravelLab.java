package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.GOLD_TITLE_COUNTRY_DAILY;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.lake.SqlTime;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.oracle.ReferenceGold;
import org.keystonesandbox.oracle.ReferenceGold.TitleCountryDay;

/** Gold before a late batch and after its repair, side by side; snapshot expiry ends it. */
final class TimeTravelLab implements Lab {
  static final int LATE_EVENTS = 60;

  @Override
  public String name() {
    return "time-travel";
  }

  @Override
  public String summary() {
    return "gold as of before a late batch and after its repair, side by side; expiry ends it";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    String gold = run.table(GOLD_TITLE_COUNTRY_DAILY);
    report.step(
        "The generator writes 4,000 events (two days, no late ones); the chain builds gold");
    run.produce(
        "--count", "4000", "--rate", "15", "--users", "300", "--late-rate", "0", "--seed", "7");
    run.chain();
    List<ViewingEvent> onTime = run.truth();
    run.checkPipelineExact("before the late batch");
    Table goldTable = SnapshotMarks.load(run.spark(), gold);
    long before = goldTable.currentSnapshot().snapshotId();
    Instant beforeCommit = Instant.ofEpochMilli(goldTable.currentSnapshot().timestampMillis());

    report.step(
        "A late batch: "
            + LATE_EVENTS
            + " heartbeats of day one's playbacks from devices that were offline for two days");
    List<ViewingEvent> late =
        LabRun.lateHeartbeats(
            onTime, LabRun.day(onTime.get(0)), LATE_EVENTS, java.time.Duration.ofDays(2));
    run.send(late);
    run.chain();
    goldTable.refresh();
    long after = goldTable.currentSnapshot().snapshotId();
    report.note(
        "gold's snapshot before the late batch: " + before + ", after its repair: " + after);

    report.step(
        "Gold's watch hours by day, as of each snapshot, beside the oracle without and with the late batch");
    ReferenceGold withoutLate = run.referenceGold(onTime);
    ReferenceGold withLate = run.referenceGold(run.truth());
    List<TitleCountryDay> asOfBefore =
        run.contents().goldTitleCountryDays("VERSION AS OF " + before);
    List<TitleCountryDay> asOfAfter = run.contents().goldTitleCountryDays("VERSION AS OF " + after);
    List<TitleCountryDay> asOfBeforeTime =
        run.contents().goldTitleCountryDays("TIMESTAMP AS OF '" + SqlTime.text(beforeCommit) + "'");
    Map<LocalDate, long[]> byDay = new TreeMap<>();
    add(byDay, asOfBefore, 0);
    add(byDay, asOfAfter, 1);
    add(byDay, withoutLate.titleCountryDays(), 2);
    add(byDay, withLate.titleCountryDays(), 3);
    List<List<Object>> rows = new ArrayList<>();
    byDay.forEach(
        (day, ms) ->
            rows.add(List.of(day, hours(ms[0]), hours(ms[1]), hours(ms[2]), hours(ms[3]))));
    report.table(
        List.of("day", "as of before", "as of after", "oracle without late", "oracle with late"),
        rows);
    report.query(
        "SELECT day, round(sum(watch_ms) / 3.6e6, 2) AS watch_hours FROM "
            + gold
            + " VERSION AS OF "
            + before
            + " GROUP BY day ORDER BY day");
    report.query(
        "SELECT day, round(sum(watch_ms) / 3.6e6, 2) AS watch_hours FROM "
            + gold
            + " TIMESTAMP AS OF '"
            + SqlTime.text(beforeCommit)
            + "' GROUP BY day ORDER BY day");
    report.query("SELECT snapshot_id, committed_at, operation FROM " + gold + ".snapshots");
    report.check(
        "gold as of the snapshot before equals the oracle without the late batch",
        asOfBefore.equals(withoutLate.titleCountryDays()),
        asOfBefore.size() + " rows");
    report.check(
        "gold as of the snapshot after equals the oracle with the late batch",
        asOfAfter.equals(withLate.titleCountryDays()),
        asOfAfter.size() + " rows");
    report.check(
        "TIMESTAMP AS OF the first commit reads the same rows as VERSION AS OF it",
        asOfBeforeTime.equals(asOfBefore),
        "");
    LocalDate dayOne = LabRun.day(onTime.get(0));
    boolean onlyDayOneChanged = true;
    for (Map.Entry<LocalDate, long[]> day : byDay.entrySet()) {
      boolean changed = day.getValue()[0] != day.getValue()[1];
      onlyDayOneChanged &= changed == day.getKey().equals(dayOne);
    }
    report.check(
        "the repair changed day one and no other day", onlyDayOneChanged, "day one is " + dayOne);

    report.step("Time travel reaches as far back as snapshots are kept");
    String maxAge =
        goldTable
            .properties()
            .getOrDefault("history.expire.max-snapshot-age-ms", "432000000 (the default: 5 days)");
    report.note(
        "history.expire.max-snapshot-age-ms = "
            + maxAge
            + "; snapshots now: "
            + LakeFigures.snapshots(goldTable));
    String expire =
        "CALL lake.system.expire_snapshots(table => '"
            + gold
            + "', older_than => "
            + SqlTime.literal(Instant.now())
            + ", retain_last => 1)";
    report.query(expire);
    run.spark().sql(expire).collectAsList();
    goldTable.refresh();
    report.note("snapshots after expiry: " + LakeFigures.snapshots(goldTable));
    String error = run.failureOf("SELECT count(*) FROM " + gold + " VERSION AS OF " + before);
    report.note("reading the expired snapshot: " + error);
    report.check(
        "after expiry the old snapshot is gone with a message naming it",
        error.contains(Long.toString(before)),
        error.isEmpty() ? "the read succeeded" : "");
  }

  /**
   * Copies of day one's first heartbeats, one millisecond later, with ids of their own: new events,
   * two days late, that add their play time to day one.
   */
  private static void add(Map<LocalDate, long[]> byDay, List<TitleCountryDay> rows, int column) {
    for (TitleCountryDay row : rows) {
      byDay.computeIfAbsent(row.day(), d -> new long[4])[column] += row.watchMs();
    }
  }

  private static double hours(long ms) {
    return ms / 3_600_000.0;
  }
}
