package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.SILVER_EVENTS;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    report.step(
        "The pipeline's forget job: delete, compact, expire, on every table that holds them");
    report.note("java -jar batch-job/target/keystone-batch-job.jar forget --user " + user);
    List<ForgetUserJob.TableResult> results = new ForgetUserJob(run.spark(), run.lake()).run(user);
    List<List<Object>> rows = new ArrayList<>();
    for (ForgetUserJob.TableResult r : results) {
      rows.add(List.of(r.table(), r.rowsDeleted(), r.filesRewritten()));
    }
    report.table(List.of("table", "rows deleted", "data files rewritten"), rows);
    long left = rowsOnDisk(run, tables);
    report.note("rows of " + user + " in any data file of the tables on disk now: " + left);
    report.check("no data file on disk holds a row of " + user, left == 0, left + " rows");
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
