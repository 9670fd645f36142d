package org.keystonesandbox.sandbox.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForegroundJarTest {
  @Test
  void runsTheJarOnThisJvmsJavaWithTheArgumentsPassedThrough() {
    List<String> command =
        ForegroundJar.command(Path.of("/opt/keystone/keystone-labs.jar"), List.of("--list"));
    assertThat(command)
        .containsExactly(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            "/opt/keystone/keystone-labs.jar",
            "--list");
  }
}
