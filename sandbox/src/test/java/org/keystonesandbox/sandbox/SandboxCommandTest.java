package org.keystonesandbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.sandbox.run.SandboxRun;

class SandboxCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return SandboxCommand.commandLine(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))
        .execute(args);
  }

  private String errors() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aWrongFlagIsOneLineAndExitCodeTwo() {
    assertThat(run("run", "--colour", "blue")).isEqualTo(ExitCodes.USAGE);
    assertThat(errors())
        .startsWith("keystone-sandbox: Unknown options: '--colour'")
        .hasLineCount(1);
  }

  @Test
  void aNonPositiveCountIsRefused() {
    assertThat(run("run", "--count", "0")).isEqualTo(ExitCodes.USAGE);
    assertThat(errors())
        .isEqualToIgnoringNewLines("keystone-sandbox: --count must be positive (see --help)");
  }

  /** A home with every jar a run needs, so that a test reaches the checks after the jars. */
  private static Path homeWithTheJars(Path dir) throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    for (String jar : SandboxRun.JARS) {
      Files.writeString(home.resolve(jar), "");
    }
    return home;
  }

  @Test
  void aFolderThatIsNotTheSandboxsIsNeverUsedOrDeleted(@TempDir Path dir) throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("precious.txt"), "keep me");

    // Ports 0 are not checked: the outcome must not depend on what else listens on this machine.
    assertThat(
            run(
                "run",
                "--home",
                homeWithTheJars(dir).toString(),
                "--data-dir",
                data.toString(),
                "--fresh",
                "--kafka-port",
                "0",
                "--flink-ui-port",
                "0",
                "--spark-ui-port",
                "0",
                "--status-port",
                "-1"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(errors()).contains("is not empty and not a sandbox data folder").hasLineCount(1);
    assertThat(data.resolve("precious.txt")).hasContent("keep me");
  }

  @Test
  void missingJarsSayHowToBuildThem(@TempDir Path dir) {
    Path data = dir.resolve("data");
    assertThat(
            run(
                "run",
                "--data-dir",
                data.toString(),
                "--home",
                dir.resolve("nowhere").toString(),
                "--status-port",
                "-1"))
        .isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(errors())
        .contains("cannot find " + Jars.KAFKA)
        .contains("mvn -B install -DskipTests");
  }

  @Test
  void labAndSqlNameTheJarTheyNeedWhenItIsNotBuilt(@TempDir Path dir) {
    String nowhere = dir.resolve("nowhere").toString();
    assertThat(run("lab", "--home", nowhere, "--list")).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(run("sql", "--home", nowhere, "-e", "SHOW TABLES")).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(errors().lines())
        .satisfiesExactly(
            line -> assertThat(line).contains("cannot find " + Jars.LABS),
            line -> assertThat(line).contains("cannot find " + Jars.BATCH_JOB));
  }

  @Test
  void helpOfEveryCommandEndsWithTheExitCodes() {
    for (String[] help : new String[][] {{"--help"}, {"run", "--help"}, {"status", "--help"}}) {
      out.reset();
      assertThat(run(help)).isEqualTo(ExitCodes.OK);
      assertThat(out.toString(StandardCharsets.UTF_8))
          .as("%s", String.join(" ", help))
          .contains("Exit codes: 0 done")
          .contains("5 error (a job failed, a crash).");
    }
  }

  @Test
  void aBadDurationNamesTheFlagAndIsAUsageError() {
    assertThat(run("run", "--drain-timeout", "soon")).isEqualTo(ExitCodes.USAGE);
    assertThat(errors())
        .startsWith("keystone-sandbox: ")
        .contains("--drain-timeout")
        .hasLineCount(1);
  }

  @Test
  void freshDeletesNothingWhenAPortTheRunNeedsIsInUse(@TempDir Path dir) throws Exception {
    Path home = homeWithTheJars(dir);
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve(".keystone-sandbox"), "");
    Files.writeString(data.resolve("earlier-run.txt"), "keep me");
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(
              run(
                  "run",
                  "--home",
                  home.toString(),
                  "--data-dir",
                  data.toString(),
                  "--fresh",
                  "--kafka-port",
                  Integer.toString(busy.getLocalPort()),
                  "--status-port",
                  "-1"))
          .as("a port in use is this machine's state, not a bad flag")
          .isEqualTo(ExitCodes.UNAVAILABLE);
    }
    assertThat(errors())
        .contains("(--kafka-port) is in use")
        .doesNotContain("see --help")
        .hasLineCount(1);
    assertThat(data.resolve("earlier-run.txt")).hasContent("keep me");
  }

  @Test
  void aRunOnAFolderAnotherRunHoldsEndsWithTheUnavailableCodeNotAsAUsageError(@TempDir Path dir)
      throws Exception {
    Path home = homeWithTheJars(dir);
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    try (FileChannel lockFile =
            FileChannel.open(
                data.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock other = lockFile.lock()) {
      assertThat(
              run(
                  "run",
                  "--home",
                  home.toString(),
                  "--data-dir",
                  data.toString(),
                  "--kafka-port",
                  "0",
                  "--flink-ui-port",
                  "0",
                  "--spark-ui-port",
                  "0",
                  "--status-port",
                  "-1"))
          .isEqualTo(ExitCodes.UNAVAILABLE);
    }
    assertThat(errors())
        .contains("another sandbox run is using")
        .doesNotContain("see --help")
        .hasLineCount(1);
  }
}
