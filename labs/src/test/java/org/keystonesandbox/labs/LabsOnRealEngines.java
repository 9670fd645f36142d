package org.keystonesandbox.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Labs on real engines, as a user runs them, asserting their verdicts; the labs of one class share
 * one broker and one Spark session, each with its own topic, namespace and folder. The labs are
 * split into two classes, which the build runs in JVMs of their own at the same time: a lab spends
 * much of its time waiting (for a paced generator, a process starting, a checkpoint), which the
 * other JVM's lab fills.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LabsOnRealEngines {
  private LabEnvironment env;

  /** The names of the labs this class runs, in their order in {@link Labs#ALL}. */
  abstract List<String> labNames();

  @BeforeAll
  void startEngines(@TempDir Path folder) {
    env = LabEnvironment.start(folder, 0);
  }

  @AfterAll
  void stopEngines() {
    env.close();
  }

  Stream<String> labs() {
    return labNames().stream();
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
