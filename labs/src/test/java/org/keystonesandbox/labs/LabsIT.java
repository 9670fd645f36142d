package org.keystonesandbox.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
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
  void startEngines() throws Exception {
    env = LabEnvironment.start(Files.createTempDirectory("labs-"), 0);
  }

  @AfterAll
  void stopEngines() {
    env.close();
  }

  static Iterable<Lab> labs() {
    return Labs.ALL;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("labs")
  void theLabObservesTheEffectItExpects(Lab lab) {
    StringWriter output = new StringWriter();
    boolean passed = LabRunner.run(lab, env, new PrintWriter(output, true));
    System.out.print(output);
    assertThat(passed).as(output.toString()).isTrue();
    assertThat(output.toString().lines().filter(line -> line.startsWith("verdict: PASS")))
        .hasSize(1);
  }
}
