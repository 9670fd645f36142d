package org.keystonesandbox.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every lab on real engines, as a user runs it, asserting its verdict; the labs share one broker
 * and one Spark session, each with its own topic, namespace and folder.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabsIT {
  private LabEnvironment env;

  @BeforeAll
  void startEngines(@TempDir Path folder) {
    env = LabEnvironment.start(folder, 0);
  }

  @AfterAll
  void stopEngines() {
    env.close();
  }

  static Stream<String> labs() {
    return Labs.ALL.stream().map(Lab::name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("labs")
  void theLabObservesTheEffectItExpects(String name) {
    StringWriter output = new StringWriter();
    boolean passed =
        LabRunner.run(Labs.named(name).orElseThrow(), env, new PrintWriter(output, true));
    System.out.print(output);
    assertThat(passed).as(output.toString()).isTrue();
    assertThat(output.toString().lines().filter(line -> line.startsWith("verdict: PASS")))
        .hasSize(1);
  }
}
