package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.SILVER_EVENTS;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.keystonesandbox.batch.forget.ForgetUserJob;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceGold;
import org.keystonesandbox.oracle.ReferenceSessions;

/**
 * A right-to-be-forgotten request: one user erased from every table and its files on disk by the
 * pipeline's forget job; everyone else unchanged, and the chain still in its place.
 */
final class ForgetUserLab implements Lab {
  @Override
  public String name() {
    return "forget-user";
  }

  @Override
  public String summary() {
    return "erase one user from every table and its files on disk; everyone else unchanged";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    report.step("The generator writes 4,000 events (with malformed ones); the chain runs");
    RunSummary first =
        run.produce(
            "--count",
            "4000",
            "--rate",
            "20",
            "--users",
            "200",
            "--malformed-rate",
            "0.02",
            "--seed",
            "51");
    run.chain();
    run.checkPipelineExact("before the request");
    List<ViewingEvent> before = run.truth();
    String user =
        before.stream()
            .collect(Collectors.groupingBy(ViewingEvent::userId, Collectors.counting()))
            .entrySet()
            .stream()
            .max(Map.Entry.comparingByValue())
            .orElseThrow()
            .getKey();
    Map<String, String> tables = userTables(run, user);

    report.step("A request to forget " + user + ": where their rows are");
    report.table(List.of("table", "rows of " + user), footprint(run, tables));
    report.note("rows of " + user + " in the data files on disk: " + rowsOnDisk(run, tables));

    report.step("A DELETE alone, on silver_events: queries stop returning them, the files do not");
    String silver = run.table(SILVER_EVENTS);
    long beforeDelete = SnapshotMarks.currentSnapshotId(SnapshotMarks.load(run.spark(), silver));
    String delete = "DELETE FROM " + silver + " WHERE user_id = '" + user + "'";
    run.spark().sql(delete);
    report.query(delete);
    long visible = count(run, "SELECT count(*) FROM " + silver + " WHERE user_id = '" + user + "'");
    long travel =
        count(
            run,
            "SELECT count(*) FROM "
                + silver
                + " VERSION AS OF "
                + beforeDelete
                + " WHERE user_id = '"
                + user
                + "'");
    long onDisk = rowsOnDisk(run, Map.of(silver, tables.get(silver)));
    report.table(
        List.of("after the DELETE on silver_events", "rows of " + user),
        List.of(
            List.of("returned by a query", visible),
            List.of("as of the snapshot before the DELETE", travel),
            List.of("in its data files on disk (merge-on-read)", onDisk)));
    report.check(
        "a DELETE alone hides the rows but keeps them in files and in time travel",
        visible == 0 && travel > 0 && onDisk > 0,
        "");

    report.step("A write that failed left a file behind: an orphan, no snapshot references it");
    Path orphan = plantOrphan(run, silver, tables.get(silver));
    report.note(
        "copied a data file of silver_events that holds "
            + user
            + " to "
            + orphan.getParent().getFileName()
            + "/"
            + orphan.getFileName()
            + " in its data folder: "
            + rowsOnDisk(run, Map.of(silver, tables.get(silver)))
            + " rows of the user on disk in silver_events now");

    report.step(
        "The pipeline's forget job: delete, compact, expire, remove orphans, on every table that"
            + " holds them");
    report.note("java -jar batch-job/target/keystone-batch-job.jar forget --user " + user);
    List<ForgetUserJob.TableResult> results = new ForgetUserJob(run.spark(), run.lake()).run(user);
    List<List<Object>> written = new ArrayList<>();
    List<List<Object>> removed = new ArrayList<>();
    boolean everyDeleteWrote = true;
    boolean everyStepRemoved = true;
    for (ForgetUserJob.TableResult r : results) {
      ForgetUserJob.Maintenance m = r.maintenance();
      written.add(
          List.of(
              r.table(),
              r.rowsDeleted(),
              r.deleteFilesWritten(),
              r.dataFilesReplaced(),
              r.filesRewritten()));
      removed.add(
          List.of(
              r.table(),
              m.snapshotsExpired(),
              m.dataFilesDeleted(),
              m.deleteFilesDeleted(),
              m.metadataFilesDeleted(),
              m.orphansDeleted()));
      if (r.rowsDeleted() > 0) {
        everyDeleteWrote &= r.deleteFilesWritten() + r.dataFilesReplaced() > 0;
        everyStepRemoved &=
            (r.filesRewritten() > 0 || r.dataFilesReplaced() > 0)
                && m.snapshotsExpired() > 0
                && m.dataFilesDeleted() > 0;
      }
    }
    report.table(
        List.of(
            "table",
            "rows deleted",
            "delete files written",
            "data files replaced",
            "data files compacted"),
        written);
    report.table(
        List.of(
            "table",
            "snapshots expired",
            "data files deleted",
            "delete files deleted",
            "manifests + lists deleted",
            "orphans removed"),
        removed);
    report.check(
        "each delete that removed rows wrote delete files (merge-on-read) or replaced data files",
        everyDeleteWrote,
        "");
    report.check(
        "on each such table compaction rewrote files and expiry removed snapshots and data files",
        everyStepRemoved,
        "");
    long orphans = results.stream().mapToLong(r -> r.maintenance().orphansDeleted()).sum();
    report.check(
        "orphan removal deleted the planted file",
        orphans >= 1 && !Files.exists(orphan),
        orphans + " orphans removed");
    long left = rowsOnDisk(run, tables);
    report.note("rows of " + user + " in any data file of the tables on disk now: " + left);
    report.check("no data file on disk holds a row of " + user, left == 0, left + " rows");
    List<List<Object>> reachable = new ArrayList<>();
    long inSnapshots = 0;
    for (ForgetUserJob.TableResult r : results) {
      String table = run.lake().table(r.table());
      List<Long> snapshots = new ArrayList<>();
      SnapshotMarks.load(run.spark(), table)
          .snapshots()
          .forEach(x -> snapshots.add(x.snapshotId()));
      long rows = 0;
      for (long id : snapshots) {
        rows +=
            count(
                run,
                "SELECT count(*) FROM "
                    + table
                    + " VERSION AS OF "
                    + id
                    + " WHERE "
                    + tables.get(table));
      }
      inSnapshots += rows;
      reachable.add(List.of(r.table(), snapshots.size(), rows));
    }
    report.table(
        List.of("table", "reachable snapshots", "rows of " + user + " in them"), reachable);
    report.check(
        "no reachable snapshot of any table that held " + user + " holds a row of them",
        inSnapshots == 0 && !reachable.isEmpty(),
        inSnapshots + " rows");
    report.query(
        "SELECT snapshot_id, operation, summary['added-delete-files'] AS delete_files,"
            + " summary['deleted-data-files'] AS replaced FROM "
            + run.table(SILVER_EVENTS)
            + ".snapshots");
    report.query(
        "SELECT content, count(*) AS files FROM "
            + run.table(SILVER_EVENTS)
            + ".all_files GROUP BY content");
    String travelError =
        run.failureOf("SELECT count(*) FROM " + silver + " VERSION AS OF " + beforeDelete);
    report.check(
        "time travel to before the erasure fails: its snapshot is gone",
        travelError.contains("Cannot find snapshot with ID " + beforeDelete),
        travelError);

    report.step("Everyone else's figures are unchanged");
    List<ViewingEvent> others = before.stream().filter(e -> !e.userId().equals(user)).toList();
    ReferenceGold withoutUser = run.referenceGold(others);
    report.check(
        "silver sessions and gold user days equal the oracle over the other users",
        run.contents().silverSessions().equals(ReferenceSessions.of(others, LabRun.GAP))
            && run.contents().goldUserDays().equals(withoutUser.userDays()),
        withoutUser.userDays().size() + " user days");
    report.check(
        "gold title x country, which holds no user id, is unchanged",
        run.contents().goldTitleCountryDays().equals(run.referenceGold(before).titleCountryDays()),
        "");

    report.step("The chain goes on from its place: one more batch");
    run.produce(
        "--count",
        "1000",
        "--rate",
        "20",
        "--users",
        "200",
        "--seed",
        "52",
        "--start",
        first.lastEventTime().plus(Duration.ofDays(1)).toString());
    run.chain();
    List<ViewingEvent> later = run.truth().subList(before.size(), run.truth().size());
    List<ViewingEvent> expected = Stream.concat(others.stream(), later.stream()).toList();
    report.check(
        "silver sessions and gold user days equal the oracle: no erased row came back from Kafka",
        run.contents().silverSessions().equals(ReferenceSessions.of(expected, LabRun.GAP))
            && run.contents().goldUserDays().equals(run.referenceGold(expected).userDays()),
        "");
    report.note(
        "the topic still holds "
            + run.recordsWithKey(user)
            + " records keyed "
            + user
            + ": a log deletes by retention, not record by record (see the page)");
  }

  /**
   * A copy of one of the table's data files under another name, as a write that failed after
   * writing its file and before committing leaves it; dated a minute back, as a file is that the
   * failed write left before the erasure started.
   */
  private static Path plantOrphan(LabRun run, String table, String condition) throws Exception {
    Path data =
        Path.of(URI.create(SnapshotMarks.load(run.spark(), table).location())).resolve("data");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(data)) {
      files = walk.filter(f -> f.toString().endsWith(".parquet")).toList();
    }
    Path live = null;
    for (Path file : files) {
      var frame = run.spark().read().parquet(file.toString());
      if (!List.of(frame.columns()).contains("file_path") && frame.where(condition).count() > 0) {
        live = file;
        break;
      }
    }
    if (live == null) {
      throw new IllegalStateException("no data file of " + table + " holds the user's rows");
    }
    Path orphan = live.resolveSibling("00000-0-aborted-write.parquet");
    Files.copy(live, orphan);
    Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofMinutes(1))));
    return orphan;
  }

  /** Every table holding the user, by full name, with the condition that finds their rows. */
  private static Map<String, String> userTables(LabRun run, String user) {
    Map<String, String> tables = new LinkedHashMap<>();
    ForgetUserJob.rowsOf(user)
        .forEach((table, condition) -> tables.put(run.table(table), condition));
    return tables;
  }

  private static List<List<Object>> footprint(LabRun run, Map<String, String> tables) {
    List<List<Object>> rows = new ArrayList<>();
    tables.forEach(
        (table, condition) ->
            rows.add(
                List.of(
                    LabRun.shortName(table),
                    count(run, "SELECT count(*) FROM " + table + " WHERE " + condition))));
    return rows;
  }

  private static long count(LabRun run, String query) {
    return run.spark().sql(query).first().getLong(0);
  }

  /**
   * The user's rows in every data file under the tables' folders, live or not: what a forensic read
   * of the storage finds, whatever the metadata says. Position-delete files are skipped.
   */
  private static long rowsOnDisk(LabRun run, Map<String, String> tables) throws Exception {
    long rows = 0;
    for (Map.Entry<String, String> t : tables.entrySet()) {
      Path data =
          Path.of(URI.create(SnapshotMarks.load(run.spark(), t.getKey()).location()))
              .resolve("data");
      if (!Files.isDirectory(data)) {
        continue;
      }
      List<String> files;
      try (Stream<Path> walk = Files.walk(data)) {
        files = walk.map(Path::toString).filter(f -> f.endsWith(".parquet")).toList();
      }
      for (String file : files) {
        var frame = run.spark().read().parquet(file);
        if (!List.of(frame.columns()).contains("file_path")) {
          rows += frame.where(t.getValue()).count();
        }
      }
    }
    return rows;
  }
}
