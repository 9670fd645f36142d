package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.GOLD_TITLE_COUNTRY_DAILY;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_EVENTS;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
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
import org.apache.spark.sql.Row;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.events.ViewingEvent;

/**
 * The pipeline's tables in a REST catalog, three clients of it: the pipeline's own chain (Spark, in
 * a process of its own) writes them, Iceberg's own Java API (no Spark) reads silver_events and
 * changes its schema, Spark in the lab's session and the SQL console in a process of its own read
 * it. The catalog, not an engine, owns the table.
 */
final class CatalogLab implements Lab {

  @Override
  public String name() {
    return "catalog";
  }

  @Override
  public String summary() {
    return "the pipeline's chain writes its tables into the REST catalog; the Iceberg Java API and"
        + " the console read them";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    report.step("The generator writes 3,000 events");
    run.produce("--count", "3000", "--rate", "20", "--users", "300", "--seed", "41");
    Jars jars = new Jars(Jars.homeOf(LabCommand.class));
    Path warehouse = run.folder().resolve("rest-warehouse").toAbsolutePath();

    report.step("The project's Iceberg REST catalog starts as a process of its own");
    try (RestCatalogProcess server =
        RestCatalogProcess.start(jars.find(Jars.REST_CATALOG), warehouse)) {
      report.note("serving at " + server.uri() + "; its warehouse: " + warehouse);
      String namespace = run.lake().namespace();

      report.step(
          "The pipeline's own chain, in a process of its own, builds bronze, silver and gold in"
              + " the REST catalog");
      List<String> chain =
          List.of(
              "chain",
              "--runs",
              "1",
              "--maintenance-every",
              "0",
              "--catalog",
              "rest",
              "--catalog-uri",
              server.uri(),
              "--namespace",
              namespace,
              "--bootstrap-server",
              run.bootstrapServers(),
              "--topic",
              run.topic(),
              "--titles",
              run.titlesFile().toAbsolutePath().toString(),
              "--run-log",
              run.folder().resolve("batch-runs.jsonl").toAbsolutePath().toString(),
              "--master",
              "local[2]",
              "--ui-port",
              "0");
      report.note("java -jar batch-job/target/keystone-batch-job.jar " + String.join(" ", chain));
      List<String> chainOutput =
          JarProcess.run(
              "the chain",
              jars.find(Jars.BATCH_JOB),
              List.of("-Xmx768m"),
              chain,
              run.folder().resolve("chain-output.txt"),
              Duration.ofMinutes(5));
      chainOutput.stream()
          .filter(line -> line.matches("run \\d+ (bronze|silver|gold): .*"))
          .forEach(report::note);

      report.step(
          "Iceberg's Java API, a second client with no Spark, loads silver_events from the"
              + " catalog");
      Totals expected = Totals.of(run.truth());
      // A name of this run's own: Spark keeps a catalog it has loaded for the whole session.
      String sparkCatalog = "rest_" + URI.create(server.uri()).getPort();
      String sparkTable = sparkCatalog + "." + namespace + "." + SILVER_EVENTS;
      String catalog = "spark.sql.catalog." + sparkCatalog;
      run.spark().conf().set(catalog, "org.apache.iceberg.spark.SparkCatalog");
      run.spark().conf().set(catalog + ".type", "rest");
      run.spark().conf().set(catalog + ".uri", server.uri());
      run.spark().conf().set(catalog + ".cache-enabled", "false");
      try (RESTCatalog client = new RESTCatalog()) {
        client.setConf(new Configuration());
        client.initialize("java-client", Map.of(CatalogProperties.URI, server.uri()));
        Table table = client.loadTable(TableIdentifier.of(namespace, SILVER_EVENTS));
        Totals javaRead = Totals.read(table);
        Row sparkRow = run.spark().sql("SELECT count(*), sum(play_ms) FROM " + sparkTable).first();
        Totals sparkRead = new Totals(sparkRow.getLong(0), sparkRow.getLong(1));
        report.table(
            List.of("client", "silver_events rows", "play ms", "snapshot"),
            List.of(
                List.of(
                    "Iceberg Java API",
                    javaRead.rows(),
                    javaRead.playMs(),
                    Long.toString(table.currentSnapshot().snapshotId())),
                List.of("Spark (the lab's session)", sparkRead.rows(), sparkRead.playMs(), ""),
                List.of("oracle", expected.rows(), expected.playMs(), "")));
        report.check(
            "the Java client reads what the pipeline's jobs wrote, equal to the oracle",
            javaRead.equals(expected),
            "");
        report.check(
            "Spark reads the same table through the catalog, equal to the oracle",
            sparkRead.equals(expected),
            "");

        report.step(
            "The Java client changes the table: a new column and a property; Spark reads it"
                + " again");
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
          "The SQL console, a third client in a process of its own, reads it through the"
              + " catalog");
      String query =
          "SELECT count(*) AS events, sum(play_ms) AS play_ms, count(reviewed) AS reviewed FROM"
              + " lake."
              + namespace
              + "."
              + SILVER_EVENTS;
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
      String expectedLine = expected.rows() + "," + expected.playMs() + ",0";
      report.note("the console printed: " + String.join(" | ", lines));
      report.check(
          "the console reads the same table: " + expectedLine, lines.contains(expectedLine), "");
    }

    report.step("Look for yourself: the catalog stopped with the lab; its warehouse stays");
    report.note("CATALOG_WAREHOUSE=" + warehouse + " CATALOG_REST_PORT=8181 \\");
    report.note("  java -jar docker/rest-catalog/target/keystone-rest-catalog.jar &");
    report.note(
        "java -jar batch-job/target/keystone-batch-job.jar sql --catalog rest --catalog-uri"
            + " http://127.0.0.1:8181 --namespace "
            + run.lake().namespace());
    report.query("SHOW TABLES");
    report.query(
        "SELECT count(*) AS events, sum(play_ms) AS play_ms, count(reviewed) AS reviewed FROM "
            + SILVER_EVENTS);
    report.query(
        "SELECT committed_at, operation, summary['added-records'] AS added FROM lake."
            + run.lake().namespace()
            + "."
            + SILVER_EVENTS
            + ".snapshots");
    report.query(
        "SELECT day, sum(starts) AS starts, sum(watch_ms) AS watch_ms FROM "
            + GOLD_TITLE_COUNTRY_DAILY
            + " GROUP BY day ORDER BY day");
  }

  /** Rows of silver_events and their play time; as the oracle counts them, or as a client reads. */
  record Totals(long rows, long playMs) {
    static Totals of(List<ViewingEvent> truth) {
      return new Totals(truth.size(), truth.stream().mapToLong(ViewingEvent::playMs).sum());
    }

    static Totals read(Table table) throws IOException {
      long rows = 0;
      long playMs = 0;
      try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
        for (Record r : records) {
          rows++;
          playMs += (Long) r.getField("play_ms");
        }
      }
      return new Totals(rows, playMs);
    }
  }
}
