package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.BRONZE_EVENTS;
import static org.keystonesandbox.events.names.PipelineNames.GOLD_USER_DAILY;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_EVENTS;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_SESSIONS;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.lake.SqlTime;
import org.keystonesandbox.batch.maintenance.MaintenanceJob;
import org.keystonesandbox.ingest.RunSummary;

/**
 * Many small commits, then the pipeline's own maintenance: compaction, snapshot expiry and orphan
 * removal, with the figures before and after, every table still exact and every job still in its
 * place.
 */
final class MaintenanceLab implements Lab {
  static final int BATCHES = 6;

  @Override
  public String name() {
    return "maintenance";
  }

  @Override
  public String summary() {
    return "small commits, then compaction, snapshot expiry and orphan removal, before and after";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    report.step(
        "Six small batches of 600 events, the chain after each: many small files and snapshots");
    Instant next = null;
    for (int batch = 1; batch <= BATCHES; batch++) {
      List<String> flags =
          new ArrayList<>(
              List.of(
                  "--count",
                  "600",
                  "--rate",
                  "40",
                  "--users",
                  "300",
                  "--seed",
                  Integer.toString(20 + batch)));
      if (next != null) {
        flags.addAll(List.of("--start", next.toString()));
      }
      RunSummary summary = run.produce(flags.toArray(String[]::new));
      next = summary.lastEventTime().plus(Duration.ofHours(1));
      run.chain();
    }
    run.checkPipelineExact("after six batches");
    // bronze and silver events grow by appends, a file per day a batch touches; sessions and
    // gold replace the days they recompute, so their files do not pile up, only their snapshots.
    String silverEvents = run.table(SILVER_EVENTS);
    List<String> appended = List.of(run.table(BRONZE_EVENTS), silverEvents);
    List<String> tables =
        List.of(
            appended.get(0), silverEvents, run.table(SILVER_SESSIONS), run.table(GOLD_USER_DAILY));
    String read =
        "SELECT count(DISTINCT user_id) AS users, sum(play_ms) AS watch_ms FROM " + silverEvents;
    String answerBefore = run.spark().sql(read).first().toString();
    long readBefore = LakeFigures.medianMillis(3, () -> run.spark().sql(read).collectAsList());
    report.step("Before maintenance");
    List<List<Object>> before = figures(run, tables);
    report.table(HEADER, before);
    report.query(
        "SELECT count(*) AS files, avg(file_size_in_bytes) AS avg_bytes FROM "
            + silverEvents
            + ".files");
    report.query("SELECT count(*) FROM " + silverEvents + ".snapshots");

    report.step(
        "An orphan: a data file no snapshot references, four days old (a crashed writer's leftover)");
    Path dataFolder =
        Path.of(URI.create(SnapshotMarks.load(run.spark(), silverEvents).location()))
            .resolve("data");
    Path someFile;
    try (var files = Files.walk(dataFolder)) {
      someFile = files.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    Path orphan = someFile.resolveSibling("orphan-from-a-crashed-writer.parquet");
    Files.copy(someFile, orphan);
    Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofDays(4))));
    report.note(orphan.toString());

    report.step(
        "The pipeline's maintenance: compaction, expiry of every snapshot no job needs, orphans"
            + " older than 3 days");
    Instant now = Instant.now();
    List<MaintenanceJob.TableResult> results =
        new MaintenanceJob(run.spark(), run.lake())
            .run(new MaintenanceJob.Settings(Duration.ZERO, Duration.ofDays(3)));
    report.note("the statements it ran on each table, here on silver_events:");
    report.query(
        "CALL lake.system.rewrite_data_files(table => '"
            + silverEvents
            + "', options => map('min-input-files', '2'))");
    report.query(
        "CALL lake.system.expire_snapshots(table => '"
            + silverEvents
            + "', older_than => "
            + SqlTime.literal(now)
            + ", retain_last => 1)");
    report.query(
        "CALL lake.system.remove_orphan_files(table => '"
            + silverEvents
            + "', older_than => "
            + SqlTime.literal(now.minus(Duration.ofDays(3)))
            + ")");
    long orphansRemoved = results.stream().mapToLong(MaintenanceJob.TableResult::orphans).sum();

    report.step("After maintenance");
    List<List<Object>> after = figures(run, tables);
    report.table(HEADER, after);
    String answerAfter = run.spark().sql(read).first().toString();
    long readAfter = LakeFigures.medianMillis(3, () -> run.spark().sql(read).collectAsList());
    report.query(read);
    report.table(
        List.of("read of silver_events", "answer", "ms (median of 3)"),
        List.of(
            List.of("before", answerBefore, readBefore), List.of("after", answerAfter, readAfter)));
    report.check("the same answer before and after", answerAfter.equals(answerBefore), answerAfter);
    for (int i = 0; i < tables.size(); i++) {
      String name = (String) before.get(i).get(0);
      long filesBefore = (Long) before.get(i).get(1);
      long filesAfter = (Long) after.get(i).get(1);
      int snapshotsBefore = (Integer) before.get(i).get(3);
      int snapshotsAfter = (Integer) after.get(i).get(3);
      boolean growsByAppends = appended.contains(tables.get(i));
      report.check(
          name
              + (growsByAppends
                  ? ": fewer, larger files and fewer snapshots"
                  : ": fewer snapshots"),
          (!growsByAppends || filesAfter < filesBefore) && snapshotsAfter < snapshotsBefore,
          filesBefore
              + " -> "
              + filesAfter
              + " files, "
              + snapshotsBefore
              + " -> "
              + snapshotsAfter
              + " snapshots");
    }
    report.check(
        "the planted orphan was removed",
        !Files.exists(orphan) && orphansRemoved >= 1,
        orphansRemoved + " orphan(s) removed");
    run.checkPipelineExact("after maintenance");

    report.step("One more batch: every job continues from its place");
    run.produce(
        "--count",
        "600",
        "--rate",
        "40",
        "--users",
        "300",
        "--seed",
        "30",
        "--start",
        next.toString());
    run.chain();
    run.checkPipelineExact("after a batch following maintenance");
  }

  private static final List<String> HEADER =
      List.of("table", "data files", "avg file bytes", "snapshots", "metadata bytes");

  private static List<List<Object>> figures(LabRun run, List<String> tables) {
    List<List<Object>> rows = new ArrayList<>();
    for (String name : tables) {
      Table table = SnapshotMarks.load(run.spark(), name);
      LakeFigures.FileSet files = LakeFigures.dataFiles(table);
      rows.add(
          List.of(
              LabRun.shortName(name),
              files.count(),
              files.averageBytes(),
              LakeFigures.snapshots(table),
              LakeFigures.metadataBytes(table)));
    }
    return rows;
  }
}
