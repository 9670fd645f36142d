package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.SILVER_EVENTS;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.spark.sql.Row;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.events.ViewingEvent;

/**
 * The same query, filtered on {@code event_ts} alone, against silver_events (partitioned by
 * days(event_ts)) and an unpartitioned copy with as many files: the files and bytes each scan
 * plans, and the time each takes.
 */
final class HiddenPartitioningLab implements Lab {
  @Override
  public String name() {
    return "hidden-partitioning";
  }

  @Override
  public String summary() {
    return "a filter on event_ts prunes a days(event_ts) table; an unpartitioned copy reads all";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    report.step("The generator writes 8,000 events over a week; the chain builds silver");
    run.produce("--count", "8000", "--rate", "12", "--users", "400", "--seed", "13");
    run.chain();
    run.checkPipelineExact("after the chain");
    String partitioned = run.table(SILVER_EVENTS);
    String flat = run.table("silver_events_unpartitioned");
    Table partitionedTable = SnapshotMarks.load(run.spark(), partitioned);
    long files = LakeFigures.dataFiles(partitionedTable).count();

    report.step(
        "An unpartitioned copy of silver_events, in as many files ("
            + files
            + "), rows spread at random");
    run.spark().table(partitioned).repartition((int) files).writeTo(flat).using("iceberg").create();
    Table flatTable = SnapshotMarks.load(run.spark(), flat);

    Map<LocalDate, Long> perDay =
        run.truth().stream()
            .collect(Collectors.groupingBy(LabRun::day, TreeMap::new, Collectors.counting()));
    LocalDate busiest =
        perDay.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    Instant from = busiest.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant to = busiest.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    Function<String, String> query =
        table ->
            "SELECT count(*) AS events, sum(play_ms) AS watch_ms FROM "
                + table
                + " WHERE event_ts >= TIMESTAMP '"
                + busiest
                + " 00:00:00' AND event_ts < TIMESTAMP '"
                + busiest.plusDays(1)
                + " 00:00:00'";
    report.step(
        "The busiest day, "
            + busiest
            + ", queried on event_ts alone: no partition column is named");
    report.query(query.apply(partitioned));
    report.query("EXPLAIN " + query.apply(partitioned));
    report.query(
        "SELECT partition, record_count, file_count FROM "
            + partitioned
            + ".partitions ORDER BY partition");
    Expression filter =
        Expressions.and(
            Expressions.greaterThanOrEqual("event_ts", from.toEpochMilli() * 1000),
            Expressions.lessThan("event_ts", to.toEpochMilli() * 1000));
    LakeFigures.FileSet partitionedPlan = LakeFigures.planned(partitionedTable, filter);
    LakeFigures.FileSet flatPlan = LakeFigures.planned(flatTable, filter);
    LakeFigures.FileSet flatAll = LakeFigures.dataFiles(flatTable);
    long partitionedMs =
        LakeFigures.medianMillis(
            5, () -> run.spark().sql(query.apply(partitioned)).collectAsList());
    long flatMs =
        LakeFigures.medianMillis(5, () -> run.spark().sql(query.apply(flat)).collectAsList());
    report.table(
        List.of(
            "table", "files in table", "files planned", "bytes planned", "query ms (median of 5)"),
        List.of(
            List.of(
                "partitioned by days(event_ts)",
                files,
                partitionedPlan.count(),
                partitionedPlan.bytes(),
                partitionedMs),
            List.of("unpartitioned", flatAll.count(), flatPlan.count(), flatPlan.bytes(), flatMs)));

    long expectedEvents = perDay.get(busiest);
    long expectedWatch =
        run.truth().stream()
            .filter(e -> LabRun.day(e).equals(busiest))
            .mapToLong(ViewingEvent::playMs)
            .sum();
    for (String table : List.of(partitioned, flat)) {
      Row r = run.spark().sql(query.apply(table)).first();
      report.check(
          "the answer from " + LabRun.shortName(table) + " equals the oracle",
          r.getLong(0) == expectedEvents && r.getLong(1) == expectedWatch,
          r.getLong(0) + " events, " + r.getLong(1) + " ms");
    }
    report.check(
        "the partitioned scan plans only the day's files, fewer bytes than the unpartitioned one",
        partitionedPlan.count() < files && partitionedPlan.bytes() < flatPlan.bytes(),
        partitionedPlan.count() + " of " + files + " files");
    report.check(
        "the unpartitioned scan cannot prune: it plans every file",
        flatPlan.count() == flatAll.count(),
        flatPlan.count() + " of " + flatAll.count() + " files");
  }
}
