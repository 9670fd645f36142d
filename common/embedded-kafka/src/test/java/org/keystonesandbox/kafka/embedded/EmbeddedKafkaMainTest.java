package org.keystonesandbox.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.CommandHarness;
import org.keystonesandbox.cli.ExitCodes;

class EmbeddedKafkaMainTest {
  private final CommandHarness cli = new CommandHarness(EmbeddedKafkaMain.MAIN);

  @Test
  void everyCommandAndSubcommandAnswersHelpWithItsUsageAndTheExitCodes() {
    cli.assertEveryCommandAnswersHelp();
  }

  @Test
  void aPortThatIsNotANumberIsOneUsageLine() {
    assertThat(cli.run("nine")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).startsWith("embedded-kafka: ").contains("'nine'").hasLineCount(1);
  }

  @Test
  void aBrokerThatCannotTakeItsPortIsUnavailableNotAMismatch(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int code = cli.run(Integer.toString(taken.getLocalPort()), dir.toString());
      assertThat(code).as(cli.errors()).isEqualTo(ExitCodes.UNAVAILABLE);
      assertThat(cli.errors())
          .startsWith("embedded-kafka: cannot start on port " + taken.getLocalPort())
          .hasLineCount(1);
    }
  }
}
