package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.BRONZE_EVENTS;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.iceberg.PartitionField;
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
    Map<Integer, List<String>> beforeChange = LakeFigures.filesBySpec(table);
    List<String> hourlyFiles = beforeChange.getOrDefault(hourlySpec, List.of());
    report.note(hourlyFiles.size() + " files in the hourly spec");
    // The analyst's query: it filters and groups on event_ts, the column, never on a partition
    String byDay =
        "SELECT to_date(event_ts) AS day, count(*) AS events FROM "
            + bronze
            + " WHERE event_ts >= TIMESTAMP '2000-01-01 00:00:00' GROUP BY 1 ORDER BY 1";
    List<String> queries = new ArrayList<>();
    long daysBefore = run.spark().sql(byDay).count();
    queries.add(byDay);
    report.query(byDay);

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
    String filesQuery =
        "SELECT spec_id, count(*) AS files, sum(file_size_in_bytes) AS bytes FROM "
            + bronze
            + ".files GROUP BY spec_id";
    report.query(filesQuery);
    queries.add(filesQuery);
    long daysAfter = run.spark().sql(byDay).count();
    queries.add(byDay);
    report.query(byDay);
    report.note(
        "the same query, word for word, before and after the change: "
            + daysBefore
            + " days, then "
            + daysAfter);
    report.check(
        "the hourly files are still there, unchanged, beside the new daily ones",
        bySpec.getOrDefault(hourlySpec, List.of()).equals(hourlyFiles)
            && !bySpec.getOrDefault(dailySpec, List.of()).isEmpty(),
        hourlyFiles.size()
            + " hourly, "
            + bySpec.getOrDefault(dailySpec, List.of()).size()
            + " daily");
    run.checkPipelineExact("across both specs");
    String countQuery = "SELECT count(*) FROM " + bronze;
    long rows = run.spark().sql(countQuery).first().getLong(0);
    queries.add(countQuery);
    report.query(countQuery);

    report.step("Compaction rewrites the old files into the current spec");
    String rewrite =
        "CALL lake.system.rewrite_data_files(table => '"
            + bronze
            + "', options => map('rewrite-all', 'true'))";
    run.spark().sql(rewrite).collectAsList();
    report.query(rewrite);
    queries.add(rewrite);
    table.refresh();
    Map<Integer, List<String>> afterRewrite = LakeFigures.filesBySpec(table);
    report.table(
        List.of(
            "spec",
            "partitioning",
            "files before the change",
            "after the next run",
            "after compaction"),
        specRows(table, List.of(beforeChange, bySpec, afterRewrite)));
    long rowsAfter = run.spark().sql(countQuery).first().getLong(0);
    queries.add(countQuery);
    List<String> partitionColumns = partitionColumns(table);
    List<String> naming =
        queries.stream()
            .filter(
                q ->
                    partitionColumns.stream()
                        .anyMatch(
                            c -> q.toLowerCase(Locale.ROOT).contains(c.toLowerCase(Locale.ROOT))))
            .toList();
    report.note(
        queries.size()
            + " statements the lab ran on bronze_events, each printed above; the partition columns"
            + " of its specs: "
            + partitionColumns);
    report.check(
        "no query the lab ran names a partition column: they name event_ts, the partitions stay"
            + " hidden",
        naming.isEmpty() && !partitionColumns.isEmpty(),
        naming.isEmpty() ? "" : "named in: " + naming);
    report.check(
        "after compaction every file is in the daily spec, and no row changed",
        afterRewrite.keySet().equals(Set.of(dailySpec)) && rowsAfter == rows,
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

  /** One row per spec: its fields and its files at each moment, side by side. */
  private static List<List<Object>> specRows(
      Table table, List<Map<Integer, List<String>>> moments) {
    Set<Integer> specs = new TreeSet<>();
    moments.forEach(m -> specs.addAll(m.keySet()));
    List<List<Object>> rows = new ArrayList<>();
    for (int spec : specs) {
      List<Object> row = new ArrayList<>(List.of(spec, describe(table.specs().get(spec))));
      moments.forEach(m -> row.add(m.getOrDefault(spec, List.of()).size()));
      rows.add(row);
    }
    return rows;
  }

  /**
   * The names a query would use to name a partition itself: every partition field of every spec the
   * table has had ({@code event_ts_hour}, {@code event_ts_day}).
   */
  private static List<String> partitionColumns(Table table) {
    return table.specs().values().stream()
        .flatMap(spec -> spec.fields().stream())
        .map(PartitionField::name)
        .distinct()
        .sorted()
        .toList();
  }

  /** {@code day(event_ts), hour(event_ts)}: a spec's fields as one reads them in SQL. */
  static String describe(PartitionSpec spec) {
    return spec.fields().stream()
        .map(f -> f.transform() + "(" + spec.schema().findColumnName(f.sourceId()) + ")")
        .collect(Collectors.joining(", "));
  }
}
