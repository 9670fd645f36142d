package org.keystonesandbox.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.CommandHarness;
import org.keystonesandbox.cli.ExitCodes;

class VerifyCommandTest {
  private final CommandHarness cli = new CommandHarness(VerifyCommand.MAIN);

  @Test
  void aWrongFlagIsOneLineAndExitCodeTwo() {
    assertThat(cli.run("--every", "soon")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).startsWith("keystone-verify: ").hasLineCount(1);
  }

  @Test
  void anUnreachableBrokerIsExitCodeThreeNamingIt(@TempDir Path dir) throws Exception {
    String nobody = CommandHarness.addressNobodyListensOn();
    long started = System.nanoTime();

    int code =
        cli.run(
            "--bootstrap-server",
            nobody,
            "--kafka-timeout",
            "2s",
            "--generator-dir",
            dir.toString(),
            "--report",
            dir.resolve("report.json").toString());

    assertThat(code).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(cli.errors()).contains("cannot reach Kafka at " + nobody);
    assertThat((System.nanoTime() - started) / 1e9).isLessThan(30);
  }

  @Test
  void everyCommandAndSubcommandAnswersHelpWithItsUsageAndTheExitCodes() {
    cli.assertEveryCommandAnswersHelp();
  }
}
