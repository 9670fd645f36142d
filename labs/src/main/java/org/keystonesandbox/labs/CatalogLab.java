package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.SILVER_EVENTS;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.events.ViewingEvent;

/**
 * One table, three clients of one REST catalog: Spark writes it, Iceberg's own Java API (no Spark)
 * reads it and changes its schema, and the SQL console in a process of its own reads both. The
 * catalog, not an engine, owns the table.
 */
final class CatalogLab implements Lab {

  @Override
  public String name() {
    return "catalog";
  }

  @Override
  public String summary() {
    return "one table in the REST catalog: Spark writes it, the Iceberg Java API and the console read it";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    report.step("The generator writes 3,000 events; the chain builds silver");
    run.produce("--count", "3000", "--rate", "20", "--users", "300", "--seed", "41");
    run.chain();
    run.checkPipelineExact("after the chain");
    Jars jars = new Jars(Jars.homeOf(LabCommand.class));

    report.step("The project's Iceberg REST catalog starts as a process of its own");
    try (RestCatalogProcess server =
        RestCatalogProcess.start(
            jars.find(Jars.REST_CATALOG), run.folder().resolve("rest-warehouse"))) {
      report.note(
          "serving at "
              + server.uri()
              + "; its warehouse: "
              + run.folder().resolve("rest-warehouse"));
      String namespace = run.lake().namespace();
      // A name of this run's own: Spark keeps a catalog it has loaded for the whole session.
      String sparkCatalog = "rest_" + URI.create(server.uri()).getPort();
      String sparkTable = sparkCatalog + "." + namespace + ".title_days";

      report.step("Spark, as one client of the catalog, writes daily watch time by title into it");
      String catalog = "spark.sql.catalog." + sparkCatalog;
      run.spark().conf().set(catalog, "org.apache.iceberg.spark.SparkCatalog");
      run.spark().conf().set(catalog + ".type", "rest");
      run.spark().conf().set(catalog + ".uri", server.uri());
      run.spark().conf().set(catalog + ".cache-enabled", "false");
      run.spark().sql("CREATE NAMESPACE IF NOT EXISTS " + sparkCatalog + "." + namespace);
      String create =
          "CREATE TABLE "
              + sparkTable
              + " USING iceberg PARTITIONED BY (day) AS SELECT to_date(event_ts) AS day, title_id,"
              + " count(*) AS events, sum(play_ms) AS watch_ms FROM "
              + run.table(SILVER_EVENTS)
              + " GROUP BY 1, 2";
      run.spark().sql(create);
      report.note("Spark ran: " + create);

      report.step(
          "Iceberg's Java API, a second client with no Spark, loads the table from the catalog");
      Totals expected = Totals.of(run.truth());
      try (RESTCatalog client = new RESTCatalog()) {
        client.setConf(new Configuration());
        client.initialize("java-client", Map.of(CatalogProperties.URI, server.uri()));
        Table table = client.loadTable(TableIdentifier.of(namespace, "title_days"));
        Totals javaRead = Totals.read(table);
        report.table(
            List.of("client", "rows", "events", "watch ms", "snapshot"),
            List.of(
                List.of(
                    "Iceberg Java API",
                    javaRead.rows(),
                    javaRead.events(),
                    javaRead.watchMs(),
                    Long.toString(table.currentSnapshot().snapshotId())),
                List.of("oracle", expected.rows(), expected.events(), expected.watchMs(), "")));
        report.check(
            "the Java client reads what Spark wrote, equal to the oracle",
            javaRead.equals(expected),
            "");

        report.step(
            "The Java client changes the table: a new column and a property; Spark reads it again");
        table.updateSchema().addColumn("reviewed", Types.BooleanType.get()).commit();
        table.updateProperties().set("keystone.steward", "analytics").commit();
        List<String> sparkColumns = List.of(run.spark().table(sparkTable).columns());
        String owner =
            run.spark()
                .sql("SHOW TBLPROPERTIES " + sparkTable + " ('keystone.steward')")
                .first()
                .getString(1);
        report.note(
            "Spark now sees the columns " + sparkColumns + " and keystone.steward = " + owner);
        report.check(
            "Spark sees the Java client's change at once, through the catalog",
            sparkColumns.contains("reviewed") && owner.equals("analytics"),
            "");
      }

      report.step(
          "The SQL console, a third client in a process of its own, reads it through the catalog");
      String query =
          "SELECT count(*) AS rows, sum(events) AS events, sum(watch_ms) AS watch_ms, count(reviewed) AS reviewed FROM lake."
              + namespace
              + ".title_days";
      List<String> console =
          List.of(
              "sql",
              "--catalog",
              "rest",
              "--catalog-uri",
              server.uri(),
              "--namespace",
              namespace,
              "--master",
              "local[1]",
              "--ui-port",
              "0",
              "--format",
              "csv",
              "-e",
              query);
      report.note(
          "java -jar batch-job/target/keystone-batch-job.jar "
              + String.join(" ", console.subList(0, console.size() - 1))
              + " \""
              + query
              + "\"");
      List<String> lines =
          JarProcess.run(
              "the console",
              jars.find(Jars.BATCH_JOB),
              List.of("-Xmx512m"),
              console,
              run.folder().resolve("console-output.txt"),
              Duration.ofMinutes(2));
      String expectedLine =
          expected.rows() + "," + expected.events() + "," + expected.watchMs() + ",0";
      report.note("the console printed: " + String.join(" | ", lines));
      report.check(
          "the console reads the same table: " + expectedLine, lines.contains(expectedLine), "");
    }
  }

  /** Rows of the table and its sums; as the oracle counts them, or as a client reads them. */
  record Totals(long rows, long events, long watchMs) {
    static Totals of(List<ViewingEvent> truth) {
      long rows =
          truth.stream()
              .map(
                  e ->
                      LocalDate.ofInstant(Instant.ofEpochMilli(e.eventTs()), ZoneOffset.UTC)
                          + e.titleId())
              .distinct()
              .count();
      return new Totals(rows, truth.size(), truth.stream().mapToLong(ViewingEvent::playMs).sum());
    }

    static Totals read(Table table) throws IOException {
      long rows = 0;
      long events = 0;
      long watchMs = 0;
      try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
        for (Record r : records) {
          rows++;
          events += (Long) r.getField("events");
          watchMs += (Long) r.getField("watch_ms");
        }
      }
      return new Totals(rows, events, watchMs);
    }
  }
}
