package org.keystonesandbox.sandbox.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.sandbox.process.ChildProcess;

/** With parts that crash at once: jars without a main class, which {@code java -jar} refuses. */
class SupervisorTest {
  @TempDir Path home;

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private Supervisor supervisor;

  @BeforeEach
  void crashingJars() throws Exception {
    for (String jar : List.of(Jars.BATCH_JOB, Jars.GENERATOR)) {
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
      try (OutputStream file = Files.newOutputStream(home.resolve(jar));
          JarOutputStream empty = new JarOutputStream(file, manifest)) {
        empty.flush();
      }
    }
    supervisor =
        new Supervisor(
            new Jars(home),
            new DataFolder(home.resolve("data")),
            new PrintStream(printed, true, StandardCharsets.UTF_8),
            Duration.ZERO);
  }

  @AfterEach
  void stopEverything() {
    supervisor.stopAll(Duration.ofSeconds(5));
  }

  private ChildProcess startCrashed(String name, String jar) throws InterruptedException {
    ChildProcess part = supervisor.start(new PartCommand(name, jar, List.of(), List.of()));
    assertThat(part.await(Duration.ofSeconds(30))).as("%s ended", name).isTrue();
    return part;
  }

  @Test
  void aCrashedChainIsRestartedAndTheRestartIsCountedAndPrinted() throws Exception {
    startCrashed(PartCommands.CHAIN, Jars.BATCH_JOB);

    supervisor.restartCrashed();

    assertThat(supervisor.restartsOf(PartCommands.CHAIN)).isEqualTo(1);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("sandbox: chain ended (exit code 1); restarting it (restart 1)");
    assertThat(supervisor.get(PartCommands.CHAIN).log()).content().contains("main manifest");
  }

  @Test
  void aPartStoppedByStopAllIsNeverRestartedAfterwards() throws Exception {
    startCrashed(PartCommands.CHAIN, Jars.BATCH_JOB);

    supervisor.stopAll(Duration.ofSeconds(5));
    supervisor.restartCrashed();

    assertThat(supervisor.restartsOf(PartCommands.CHAIN)).isZero();
  }

  @Test
  void aRetiredPartAndTheGeneratorAreNeverRestarted() throws Exception {
    startCrashed(PartCommands.CHAIN, Jars.BATCH_JOB);
    startCrashed(PartCommands.GENERATOR, Jars.GENERATOR);
    supervisor.retire(PartCommands.CHAIN);

    supervisor.restartCrashed();

    assertThat(supervisor.restartsOf(PartCommands.CHAIN)).isZero();
    assertThat(supervisor.restartsOf(PartCommands.GENERATOR)).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain("restarting");
  }

  @Test
  void aPartThatKeepsCrashingEndsTheRunWithTheLastLinesOfItsLog() throws Exception {
    ChildProcess chain = startCrashed(PartCommands.CHAIN, Jars.BATCH_JOB);

    assertThatThrownBy(
            () -> {
              for (int round = 0; round <= Supervisor.MAX_RESTARTS; round++) {
                supervisor.restartCrashed();
                chain.await(Duration.ofSeconds(30));
              }
            })
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("chain crashed " + Supervisor.MAX_RESTARTS + " times")
        .hasMessageContaining("main manifest");
  }

  @Test
  void aPartThatExitsWithTheUsageErrorCodeEndsTheRunAtOnceNamingItInsteadOfBeingRestarted()
      throws Exception {
    ScriptedPart.jar(home.resolve(Jars.STREAM_JOB));
    ChildProcess streamJob =
        supervisor.start(
            new PartCommand(
                PartCommands.STREAM_JOB,
                Jars.STREAM_JOB,
                List.of(),
                List.of("--exit", Integer.toString(ExitCodes.USAGE))));
    assertThat(streamJob.await(Duration.ofSeconds(30))).isTrue();

    assertThatThrownBy(() -> supervisor.restartCrashed())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stream-job refused to start (exit code 2)")
        .hasMessageContaining("scripted-part: exiting with 2");
    assertThat(supervisor.restartsOf(PartCommands.STREAM_JOB)).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain("restarting");
  }

  @Test
  void aPartIsStartedWithTheEnvironmentItsCommandSets() throws Exception {
    ScriptedPart.jar(home.resolve(Jars.VERIFY));

    ChildProcess part =
        supervisor.start(
            new PartCommand(
                PartCommands.VERIFIER,
                Jars.VERIFY,
                List.of(),
                List.of("--print-env", "SPARK_LOCAL_IP", "--exit", "0"),
                PartCommands.SPARK_ON_LOOPBACK));

    assertThat(part.await(Duration.ofSeconds(30))).isTrue();
    assertThat(part.log()).content().contains("SPARK_LOCAL_IP=127.0.0.1");
  }
}
