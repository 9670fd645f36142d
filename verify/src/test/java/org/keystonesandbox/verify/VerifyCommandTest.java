package org.keystonesandbox.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.ExitCodes;

class VerifyCommandTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return VerifyCommand.commandLine(
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))
        .execute(args);
  }

  @Test
  void aWrongFlagIsOneLineAndExitCodeTwo() {
    assertThat(run("--every", "soon")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("keystone-verify: ")
        .hasLineCount(1);
  }

  @Test
  void anUnreachableBrokerIsExitCodeThreeNamingIt(@TempDir Path dir) throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    long started = System.nanoTime();

    int code =
        run(
            "--bootstrap-server",
            "127.0.0.1:" + closedPort,
            "--kafka-timeout",
            "2s",
            "--generator-dir",
            dir.toString(),
            "--report",
            dir.resolve("report.json").toString());

    assertThat(code).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("cannot reach Kafka at 127.0.0.1:" + closedPort);
    assertThat((System.nanoTime() - started) / 1e9).isLessThan(30);
  }
}
