package org.keystonesandbox.batch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.batch.silver.SilverJob;
import org.keystonesandbox.cli.ExitCodes;
import picocli.CommandLine;

class BatchJobCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return BatchJobCommand.commandLine(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))
        .execute(args);
  }

  private String errors() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void anUnknownFlagIsAUsageErrorWithOneClearLine() {
    assertThat(run("silver", "--no-such-flag")).isEqualTo(ExitCodes.USAGE);
    assertThat(errors()).startsWith("keystone-batch-job: Unknown option: '--no-such-flag'");
  }

  @Test
  void anUnknownJoinStrategyIsRejectedBeforeSparkStarts() {
    assertThat(run("gold", "--titles", "pom.xml", "--join-strategy", "magic"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(errors())
        .contains("--join-strategy must be plain, static, broadcast, aqe-skew or salted");
  }

  @Test
  void aMissingTitleCatalogIsReportedByName() {
    assertThat(run("gold", "--titles", "no/such/titles.csv")).isEqualTo(ExitCodes.USAGE);
    assertThat(errors()).contains("no title catalog at no/such/titles.csv");
  }

  @Test
  void aRestCatalogWithoutItsUriIsAUsageError() {
    assertThat(run("silver", "--catalog", "rest")).isEqualTo(ExitCodes.USAGE);
    assertThat(errors()).contains("--catalog-uri");
  }

  @Test
  void aBadDurationIsAUsageError() {
    assertThat(run("chain", "--interval", "soon")).isEqualTo(ExitCodes.USAGE);
    assertThat(errors()).contains("--interval");
  }

  @Test
  void everyCommandAnswersHelpWithItsFlagsAndTheExitCodes() {
    CommandLine cli = BatchJobCommand.commandLine(System.out, System.err);
    List<String> commands = new ArrayList<>(List.of(""));
    commands.addAll(cli.getSubcommands().keySet());
    assertThat(commands)
        .contains("bronze", "silver", "gold", "maintenance", "forget", "chain", "sql");
    for (String command : commands) {
      out.reset();
      String[] args =
          command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"};
      assertThat(run(args)).as(command).isEqualTo(ExitCodes.OK);
      assertThat(out.toString(StandardCharsets.UTF_8))
          .as(command)
          .contains("Usage: keystone-batch-job")
          .contains("--help")
          .contains("Exit codes: 0 done");
    }
  }

  @Test
  void silversLineCountsTheRowsSetAsideBeyondTheRepairHorizon() {
    SilverJob.Result result =
        new SilverJob.Result(
            120,
            new TreeSet<>(List.of(LocalDate.parse("2026-03-02"))),
            new TreeSet<>(List.of(LocalDate.parse("2026-03-02"))),
            7,
            3);

    assertThat(BatchJobCommand.Silver.line(result))
        .isEqualTo(
            "silver: read 120 bronze rows; replaced 1 event days and 1 session days (7 sessions);"
                + " set aside 3 rows beyond the repair horizon");
  }
}
