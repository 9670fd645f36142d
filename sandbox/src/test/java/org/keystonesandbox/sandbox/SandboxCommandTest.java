package org.keystonesandbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.CommandHarness;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.sandbox.run.SandboxRun;
import picocli.CommandLine;

class SandboxCommandTest {
  private final CommandHarness cli = new CommandHarness(SandboxCommand.MAIN);

  @Test
  void aWrongFlagIsOneLineAndExitCodeTwo() {
    assertThat(cli.run("run", "--colour", "blue")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors())
        .startsWith("keystone-sandbox: Unknown options: '--colour'")
        .hasLineCount(1);
  }

  @Test
  void aNonPositiveCountIsRefused() {
    assertThat(cli.run("run", "--count", "0")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors())
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
            cli.run(
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
    assertThat(cli.errors()).contains("is not empty and not a sandbox data folder").hasLineCount(1);
    assertThat(data.resolve("precious.txt")).hasContent("keep me");
  }

  @Test
  void missingJarsSayHowToBuildThem(@TempDir Path dir) {
    Path data = dir.resolve("data");
    assertThat(
            cli.run(
                "run",
                "--data-dir",
                data.toString(),
                "--home",
                dir.resolve("nowhere").toString(),
                "--status-port",
                "-1"))
        .isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(cli.errors())
        .contains("cannot find " + Jars.KAFKA)
        .contains("mvn -B install -DskipTests");
  }

  @Test
  void labAndSqlNameTheJarTheyNeedWhenItIsNotBuilt(@TempDir Path dir) {
    String nowhere = dir.resolve("nowhere").toString();
    assertThat(cli.run("lab", "--home", nowhere, "--list")).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(cli.run("sql", "--home", nowhere, "-e", "SHOW TABLES"))
        .isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(cli.errors().lines())
        .satisfiesExactly(
            line -> assertThat(line).contains("cannot find " + Jars.LABS),
            line -> assertThat(line).contains("cannot find " + Jars.BATCH_JOB));
  }

  @Test
  void everyCommandAndSubcommandAnswersHelpWithItsUsageAndTheExitCodes() {
    assertThat(SandboxCommand.MAIN.commandLine(System.out, System.err).getSubcommands())
        .containsKeys("run", "status", "lab", "sql");
    cli.assertEveryCommandAnswersHelp();
  }

  @Test
  void aBadDurationNamesTheFlagAndIsAUsageError() {
    assertThat(cli.run("run", "--drain-timeout", "soon")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors())
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
              cli.run(
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
    assertThat(cli.errors())
        .contains("(--kafka-port) is in use")
        .doesNotContain("see --help")
        .hasLineCount(1);
    assertThat(data.resolve("earlier-run.txt")).hasContent("keep me");
  }

  @Test
  void runServesTheStatusViewOnThisMachineOnlyUnlessBindSaysOtherwise() {
    assertThat(runSettings().statusBind()).isEqualTo("127.0.0.1");
    assertThat(runSettings("--bind", "0.0.0.0").statusBind()).isEqualTo("0.0.0.0");
    assertThat(SandboxRun.statusUrl("0.0.0.0", 8080)).isEqualTo("http://localhost:8080");
    assertThat(SandboxRun.statusUrl("192.168.1.5", 8080)).isEqualTo("http://192.168.1.5:8080");
  }

  private static SandboxRun.Settings runSettings(String... flags) {
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(List.of(flags));
    CommandLine.ParseResult parsed =
        SandboxCommand.MAIN
            .commandLine(System.out, System.err)
            .parseArgs(args.toArray(String[]::new));
    return ((SandboxCommand.Run) parsed.subcommand().commandSpec().userObject()).settings();
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
              cli.run(
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
    assertThat(cli.errors())
        .contains("another sandbox run is using")
        .doesNotContain("see --help")
        .hasLineCount(1);
  }
}
