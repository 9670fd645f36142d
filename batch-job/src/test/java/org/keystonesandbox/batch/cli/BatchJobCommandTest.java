package org.keystonesandbox.batch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.batch.silver.SilverJob;
import org.keystonesandbox.cli.CommandHarness;
import org.keystonesandbox.cli.ExitCodes;

class BatchJobCommandTest {
  private final CommandHarness cli = new CommandHarness(BatchJobCommand.MAIN);

  @Test
  void anUnknownFlagIsAUsageErrorWithOneClearLine() {
    assertThat(cli.run("silver", "--no-such-flag")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).startsWith("keystone-batch-job: Unknown option: '--no-such-flag'");
  }

  @Test
  void anUnknownJoinStrategyIsRejectedBeforeSparkStarts() {
    assertThat(cli.run("gold", "--titles", "pom.xml", "--join-strategy", "magic"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors())
        .contains("--join-strategy must be plain, static, broadcast, aqe-skew or salted");
  }

  @Test
  void aMissingTitleCatalogIsReportedByName() {
    assertThat(cli.run("gold", "--titles", "no/such/titles.csv")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).contains("no title catalog at no/such/titles.csv");
  }

  @Test
  void aRestCatalogWithoutItsUriIsAUsageError() {
    assertThat(cli.run("silver", "--catalog", "rest")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).contains("--catalog-uri");
  }

  @Test
  void aBadDurationIsAUsageError() {
    assertThat(cli.run("chain", "--interval", "soon")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).contains("--interval");
  }

  @Test
  void everyCommandAndSubcommandAnswersHelpWithItsUsageAndTheExitCodes() {
    assertThat(BatchJobCommand.MAIN.commandLine(System.out, System.err).getSubcommands())
        .containsKeys("bronze", "silver", "gold", "maintenance", "forget", "chain", "sql");
    cli.assertEveryCommandAnswersHelp();
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
