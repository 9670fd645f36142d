package org.keystonesandbox.batch.sql;

import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.api.java.UDF1;
import org.jline.terminal.Terminal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.batch.SparkLakeTest;

class SqlConsoleTest extends SparkLakeTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private String table;
  private long firstSnapshot;

  @BeforeAll
  void twoCommits() {
    table = "lake." + freshLake().namespace() + ".plays";
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + table.substring(0, table.lastIndexOf('.')));
    spark.sql(
        "CREATE TABLE "
            + table
            + " (user_id STRING, title STRING, play_ms BIGINT, event_ts TIMESTAMP)"
            + " USING iceberg PARTITIONED BY (days(event_ts))");
    spark.sql(
        "INSERT INTO "
            + table
            + " VALUES ('u1', 'Dune, Part 1', 1000, TIMESTAMP '2026-01-01 20:00:00')");
    firstSnapshot = spark.sql("SELECT snapshot_id FROM " + table + ".snapshots").first().getLong(0);
    spark.sql(
        "INSERT INTO " + table + " VALUES ('u2', 'Heat', NULL, TIMESTAMP '2026-01-02 21:30:00')");
  }

  @BeforeEach
  void clearOutput() {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
  }

  private SqlConsole console(ResultFormat format, int maxRows) {
    return new SqlConsole(
        spark, new PrintWriter(out, true), new PrintWriter(err, true), format, maxRows);
  }

  @Test
  void aQueryPrintsAnAlignedTableWithItsRowCount() {
    boolean ok =
        console(ResultFormat.TABLE, 100)
            .execute(
                "SELECT user_id, title, play_ms, event_ts FROM " + table + " ORDER BY user_id");
    assertThat(ok).isTrue();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines.subList(0, 4))
        .containsExactly(
            "user_id | title        | play_ms | event_ts",
            "--------+--------------+---------+--------------------",
            "u1      | Dune, Part 1 | 1000    | 2026-01-01 20:00:00",
            "u2      | Heat         | NULL    | 2026-01-02 21:30:00");
    assertThat(lines.get(4)).matches("\\(2 rows, \\d+\\.\\d\\d s\\)");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void csvQuotesWhatNeedsItAndJsonKeepsNulls() {
    console(ResultFormat.CSV, 100)
        .execute("SELECT user_id, title, play_ms FROM " + table + " ORDER BY user_id");
    assertThat(out.toString().lines())
        .containsExactly("user_id,title,play_ms", "u1,\"Dune, Part 1\",1000", "u2,Heat,NULL");
    StringWriter json = new StringWriter();
    new SqlConsole(
            spark, new PrintWriter(json, true), new PrintWriter(err, true), ResultFormat.JSON, 100)
        .execute("SELECT user_id, play_ms FROM " + table + " ORDER BY user_id");
    assertThat(json.toString().lines())
        .containsExactly(
            "{\"user_id\":\"u1\",\"play_ms\":1000}", "{\"user_id\":\"u2\",\"play_ms\":null}");
  }

  @Test
  void aTableShowsAtMostMaxRowsAndSaysSo() {
    console(ResultFormat.TABLE, 1).execute("SELECT user_id FROM " + table + " ORDER BY user_id");
    assertThat(out.toString())
        .contains("u1")
        .doesNotContain("u2")
        .contains("only the first 1 rows shown");
  }

  @Test
  void timeTravelMetadataTablesAndProceduresWork() {
    SqlConsole console = console(ResultFormat.CSV, 100);
    assertThat(
            console.execute(
                "SELECT count(*) AS n FROM " + table + " VERSION AS OF " + firstSnapshot))
        .isTrue();
    assertThat(
            console.execute(
                "SELECT count(*) AS n FROM "
                    + table
                    + " FOR SYSTEM_VERSION AS OF "
                    + firstSnapshot))
        .isTrue();
    assertThat(
            console.execute(
                "SELECT count(*) AS n FROM " + table + " TIMESTAMP AS OF '2100-01-01 00:00:00'"))
        .isTrue();
    assertThat(out.toString().lines()).containsExactly("n", "1", "n", "1", "n", "2");
    for (String metadata :
        List.of("snapshots", "history", "files", "manifests", "partitions", "refs")) {
      assertThat(console.execute("SELECT * FROM " + table + "." + metadata)).as(metadata).isTrue();
    }
    assertThat(
            console.execute(
                "ALTER TABLE "
                    + table
                    + " REPLACE PARTITION FIELD days(event_ts) WITH hours(event_ts)"))
        .isTrue();
    assertThat(
            console.execute(
                "CALL lake.system.expire_snapshots(table => '" + table + "', retain_last => 1)"))
        .isTrue();
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aBadStatementIsOneLineNamingTheError() {
    SqlConsole console = console(ResultFormat.TABLE, 100);
    assertThat(console.execute("SELECT * FROM " + table + "_missing")).isFalse();
    assertThat(console.execute("SELEC 1")).isFalse();
    assertThat(err.toString().lines())
        .satisfiesExactly(
            line -> assertThat(line).startsWith("error: [TABLE_OR_VIEW_NOT_FOUND]"),
            line -> assertThat(line).startsWith("error: [PARSE_SYNTAX_ERROR]"));
  }

  @Test
  void aStatementThatOverflowsTheStackIsOneLineAndTheConsoleGoesOn() {
    // A recursive function, evaluated while Spark plans the query over literal rows
    spark.udf().register("depth", (UDF1<Integer, Integer>) SqlConsoleTest::depth, IntegerType);
    SqlConsole console = console(ResultFormat.TABLE, 100);
    assertThat(console.execute("SELECT depth(n) FROM VALUES (1) AS t(n)")).isFalse();
    assertThat(console.execute("SELECT 2 AS after")).isTrue();
    assertThat(err.toString().lines()).containsExactly("error: StackOverflowError");
    assertThat(out.toString()).doesNotContain("depth").contains("after");
  }

  private static int depth(int n) {
    return depth(n + 1) + 1;
  }

  @Test
  void aScriptStopsAtItsFirstFailingStatement() {
    boolean ok =
        console(ResultFormat.CSV, 100)
            .executeScript("SELECT 1 AS a; SELECT nope FROM " + table + "; SELECT 3 AS c;");
    assertThat(ok).isFalse();
    assertThat(out.toString().lines()).containsExactly("a", "1");
    assertThat(err.toString().lines()).hasSize(2).last().isEqualTo("stopped at statement 2 of 3");
  }

  @Test
  void thePromptGoesOnAfterAnErrorAndKeepsHistory(@TempDir Path dir) throws Exception {
    String typed =
        "SELECT 1 AS one;\nSELEC oops;\nSELECT\n  2 AS two;\nQUIT;\nSELECT 3 AS three;\n";
    Path history = dir.resolve("history");
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    try (Terminal terminal =
        SqlConsole.terminal(
            new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)), screen)) {
      console(ResultFormat.TABLE, 100).interactive(terminal, history);
    }
    assertThat(out.toString())
        .as("screen: %s; errors: %s", screen.toString(StandardCharsets.UTF_8), err)
        .contains("one")
        .contains("two")
        .doesNotContain("three");
    assertThat(err.toString().lines())
        .singleElement()
        .asString()
        .startsWith("error: [PARSE_SYNTAX_ERROR]");
    assertThat(Files.readString(history)).contains("SELECT 1 AS one;").contains("2 AS two;");
  }
}
