package org.keystonesandbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    assertThat(run("run", "--colour", "blue")).isEqualTo(2);
    assertThat(errors())
        .startsWith("keystone-sandbox: Unknown options: '--colour'")
        .hasLineCount(1);
  }

  @Test
  void aNonPositiveCountIsRefused() {
    assertThat(run("run", "--count", "0")).isEqualTo(2);
    assertThat(errors()).contains("--count must be positive");
  }

  @Test
  void aFolderThatIsNotTheSandboxsIsNeverUsedOrDeleted(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("precious.txt"), "keep me");

    assertThat(run("run", "--data-dir", dir.toString(), "--fresh", "--status-port", "-1"))
        .isEqualTo(2);
    assertThat(errors()).contains("is not empty and not a sandbox data folder");
    assertThat(dir.resolve("precious.txt")).hasContent("keep me");
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
        .isEqualTo(2);
    assertThat(errors())
        .contains("cannot find embedded-kafka.jar")
        .contains("mvn -B install -DskipTests");
  }
}
