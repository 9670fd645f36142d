package org.keystonesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JarsTest {
  @Test
  void aJarRunsOnThisJvmsJavaWithItsOptionsBeforeAndItsArgumentsAfter() {
    List<String> command =
        Jars.javaCommand(
            Path.of("/opt/keystone/keystone-labs.jar"), List.of("-Xmx512m"), List.of("--list"));
    assertThat(command)
        .containsExactly(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m",
            "-jar",
            "/opt/keystone/keystone-labs.jar",
            "--list");
  }
}
