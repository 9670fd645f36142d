package org.keystonesandbox.batch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.CommandHarness;
import org.keystonesandbox.cli.ExitCodes;

/** The {@code sql} command as a user runs it; each run starts and stops its own Spark session. */
class SqlCommandTest {
  private final CommandHarness cli = new CommandHarness(BatchJobCommand.MAIN);

  @Test
  void aScriptFileRunsAgainstTheFileCatalogAndABadStatementFailsItWithOneLine(@TempDir Path dir)
      throws Exception {
    Path script = dir.resolve("lab.sql");
    Files.writeString(
        script,
        "CREATE NAMESPACE lake.keystone;\n"
            + "CREATE TABLE lake.keystone.t (id BIGINT) USING iceberg;\n"
            + "INSERT INTO lake.keystone.t VALUES (1), (2);\n"
            + "SELECT count(*) AS n FROM lake.keystone.t.snapshots;\n");
    String[] lake = {"--warehouse", dir.resolve("lake").toString(), "--ui-port", "0"};
    int code =
        cli.run(concat(new String[] {"sql", "--format", "csv", "-f", script.toString()}, lake));
    assertThat(code).as(cli.errors()).isEqualTo(ExitCodes.OK);
    assertThat(cli.output().lines()).containsExactly("n", "1");

    cli.reset();
    assertThat(cli.run(concat(new String[] {"sql", "-e", "SELECT * FROM nowhere"}, lake)))
        .isEqualTo(ExitCodes.FAILED);
    assertThat(cli.errors().lines())
        .containsExactly(
            "error: [TABLE_OR_VIEW_NOT_FOUND] The table or view `nowhere` cannot be found."
                + " Verify the spelling and correctness of the schema and catalog.",
            "stopped at statement 1 of 1");
  }

  @Test
  void contradictoryFlagsAreAUsageErrorBeforeSparkStarts() {
    assertThat(cli.run("sql", "-e", "SELECT 1", "-f", "x.sql")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.run("sql", "--format", "xml")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors().lines())
        .containsExactly(
            "keystone-batch-job: give -e or -f, not both (see --help)",
            "keystone-batch-job: --format must be table, csv or json, not xml (see --help)");
  }

  @Test
  void helpKeepsEachLineWholeAndOffersNoJobOnlyFlag() {
    assertThat(cli.run("sql", "--help")).isEqualTo(ExitCodes.OK);
    String help = cli.output();
    assertThat(help)
        .contains("(CALL lake.system.*, time travel,\n")
        .contains("  -e, --execute=SQL")
        .doesNotContain("--write-mode");
    assertThat(cli.run("sql", "--write-mode", "copy-on-write", "-e", "SELECT 1"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).startsWith("keystone-batch-job: Unknown options: '--write-mode'");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
