package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.BRONZE_EVENTS;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.lake.Tables;
import org.keystonesandbox.ingest.RunSummary;

/**
 * bronze_events starts partitioned by hours(event_ts), too fine for its volume, and evolves to
 * days(event_ts) between two runs of the chain: the old files stay as they were, new ones follow
 * the new spec, queries never change, and compaction moves the old files to the new spec.
 */
final class PartitionEvolutionLab implements Lab {
  @Override
  public String name() {
    return "partition-evolution";
  }

  @Override
  public String summary() {
    return "bronze goes from hours(event_ts) to days(event_ts) between runs; no file rewritten";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    String bronze = run.table(BRONZE_EVENTS);
    report.step("bronze_events is created partitioned by hours(event_ts)");
    Tables.createAll(run.spark(), run.lake());
    String toHours =
        "ALTER TABLE " + bronze + " REPLACE PARTITION FIELD days(event_ts) WITH hours(event_ts)";
    run.spark().sql(toHours);
    report.query(toHours);
    Table table = SnapshotMarks.load(run.spark(), bronze);
    int hourlySpec = table.spec().specId();
    report.note("spec " + hourlySpec + ": " + describe(table.spec()));

    report.step("The generator writes 3,000 events; the chain runs");
    RunSummary first =
        run.produce("--count", "3000", "--rate", "40", "--users", "300", "--seed", "17");
    run.chain();
    table.refresh();
    List<String> hourlyFiles = LakeFigures.filesBySpec(table).getOrDefault(hourlySpec, List.of());
    report.note(hourlyFiles.size() + " files in the hourly spec");

    report.step("The partitioning evolves to days(event_ts): a metadata change, no data rewritten");
    String toDays =
        "ALTER TABLE " + bronze + " REPLACE PARTITION FIELD hours(event_ts) WITH days(event_ts)";
    run.spark().sql(toDays);
    report.query(toDays);
    table.refresh();
    int dailySpec = table.spec().specId();
    report.note(
        "spec "
            + dailySpec
            + ": "
            + describe(table.spec())
            + (dailySpec < hourlySpec
                ? " (the first spec again: Iceberg reuses an equal one)"
                : ""));

    report.step("The generator writes 3,000 more events, later in event time; the chain runs");
    run.produce(
        "--count",
        "3000",
        "--rate",
        "40",
        "--users",
        "300",
        "--seed",
        "18",
        "--start",
        first.lastEventTime().plus(Duration.ofHours(1)).toString());
    run.chain();
    table.refresh();
    Map<Integer, List<String>> bySpec = LakeFigures.filesBySpec(table);
    report.table(List.of("spec", "files", "partitioning"), specRows(table, bySpec));
    report.query(
        "SELECT spec_id, count(*) AS files, sum(file_size_in_bytes) AS bytes FROM "
            + bronze
            + ".files GROUP BY spec_id");
    report.query(
        "SELECT to_date(event_ts) AS day, count(*) AS events FROM "
            + bronze
            + " GROUP BY 1 ORDER BY 1");
    report.check(
        "the hourly files are still there, unchanged, beside the new daily ones",
        bySpec.getOrDefault(hourlySpec, List.of()).equals(hourlyFiles)
            && !bySpec.getOrDefault(dailySpec, List.of()).isEmpty(),
        hourlyFiles.size()
            + " hourly, "
            + bySpec.getOrDefault(dailySpec, List.of()).size()
            + " daily");
    run.checkPipelineExact("across both specs");
    long rows = run.spark().sql("SELECT count(*) FROM " + bronze).first().getLong(0);

    report.step("Compaction rewrites the old files into the current spec");
    String rewrite =
        "CALL lake.system.rewrite_data_files(table => '"
            + bronze
            + "', options => map('rewrite-all', 'true'))";
    run.spark().sql(rewrite).collectAsList();
    report.query(rewrite);
    table.refresh();
    Map<Integer, List<String>> afterRewrite = LakeFigures.filesBySpec(table);
    report.table(List.of("spec", "files", "partitioning"), specRows(table, afterRewrite));
    long rowsAfter = run.spark().sql("SELECT count(*) FROM " + bronze).first().getLong(0);
    report.check(
        "after compaction every file is in the daily spec, and no row changed",
        afterRewrite.keySet().equals(java.util.Set.of(dailySpec)) && rowsAfter == rows,
        rowsAfter + " rows");

    report.step("ADD PARTITION FIELD alone keeps the old field beside the new one");
    String scratch = run.table("add_field_demo");
    run.spark()
        .sql(
            "CREATE TABLE "
                + scratch
                + " (event_ts TIMESTAMP) USING iceberg PARTITIONED BY (days(event_ts))");
    String add = "ALTER TABLE " + scratch + " ADD PARTITION FIELD hours(event_ts)";
    run.spark().sql(add);
    report.query(add);
    Table added = SnapshotMarks.load(run.spark(), scratch);
    report.note("with ADD:     " + describe(added.spec()));
    report.note("with REPLACE: " + describe(table.spec()));
    report.check(
        "ADD keeps both fields, REPLACE keeps one",
        added.spec().fields().size() == 2 && table.spec().fields().size() == 1,
        "");
  }

  private static List<List<Object>> specRows(Table table, Map<Integer, List<String>> bySpec) {
    List<List<Object>> rows = new ArrayList<>();
    bySpec.forEach(
        (spec, files) -> rows.add(List.of(spec, files.size(), describe(table.specs().get(spec)))));
    return rows;
  }

  /** {@code day(event_ts), hour(event_ts)}: a spec's fields as one reads them in SQL. */
  static String describe(PartitionSpec spec) {
    return spec.fields().stream()
        .map(f -> f.transform() + "(" + spec.schema().findColumnName(f.sourceId()) + ")")
        .collect(Collectors.joining(", "));
  }
}
