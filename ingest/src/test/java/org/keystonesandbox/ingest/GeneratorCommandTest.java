package org.keystonesandbox.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.CommandHarness;
import org.keystonesandbox.cli.ExitCodes;

class GeneratorCommandTest {
  private final CommandHarness cli = new CommandHarness(GeneratorCommand.MAIN);

  @Test
  void unknownFlagGivesOneLineAndUsageExitCode() {
    assertThat(cli.run("--rat", "10")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).hasLineCount(1).contains("--rat").contains("--help");
  }

  @Test
  void outOfRangeKnobGivesOneLineNamingIt() {
    assertThat(cli.run("--max-lateness", "31d")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).hasLineCount(1).contains("max lateness").contains("30d");
  }

  @Test
  void aStartInTheFutureIsRefusedBecauseKafkaTimestampsWouldRejectEveryEvent() {
    String nextYear = java.time.Instant.now().plus(java.time.Duration.ofDays(365)).toString();
    assertThat(cli.run("--start", nextYear)).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).hasLineCount(1).contains("is in the future");
  }

  @Test
  void unparseableDurationGivesOneLineWithExamples() {
    assertThat(cli.run("--jitter", "soon")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).hasLineCount(1).contains("'soon' is not a duration");
  }

  @Test
  void unreachableBrokerGivesOneLineWithinTheTimeoutAndWritesNothing(@TempDir Path dir)
      throws Exception {
    String nobody = CommandHarness.addressNobodyListensOn();
    long started = System.nanoTime();
    int code =
        cli.run(
            "--bootstrap-server",
            nobody,
            "--connect-timeout",
            "2s",
            "--count",
            "10",
            "--out-dir",
            dir.toString());
    double seconds = (System.nanoTime() - started) / 1e9;
    assertThat(code).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(cli.errors())
        .hasLineCount(1)
        .contains("cannot reach Kafka at " + nobody + " within 2s")
        .contains("--bootstrap-server");
    assertThat(seconds).as("gives up at the connect timeout, not later").isLessThan(10);
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void helpListsEveryKnobOfTheDesign() {
    assertThat(cli.run("--help")).isZero();
    assertThat(cli.output())
        .contains(
            "--rate",
            "--count",
            "--duration",
            "--users",
            "--titles",
            "--seed",
            "--speedup",
            "--duplicate-rate",
            "--late-rate",
            "--max-lateness",
            "--jitter",
            "--user-skew",
            "--title-skew",
            "--hot-title-share",
            "--malformed-rate",
            "--partitions",
            "--replication-factor");
  }

  @Test
  void everyCommandAndSubcommandAnswersHelpWithItsUsageAndTheExitCodes() {
    cli.assertEveryCommandAnswersHelp();
  }
}
