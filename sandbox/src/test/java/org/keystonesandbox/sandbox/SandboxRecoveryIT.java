package org.keystonesandbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keystonesandbox.sandbox.SandboxRuns.check;
import static org.keystonesandbox.sandbox.SandboxRuns.report;
import static org.keystonesandbox.sandbox.SandboxRuns.settings;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.sandbox.process.ChildProcess;
import org.keystonesandbox.sandbox.run.PartCommands;
import org.keystonesandbox.sandbox.run.SandboxRun;
import org.keystonesandbox.sandbox.status.KafkaProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The embedded mode's supervisor: parts killed mid-run are restarted, and every stage is exact. */
class SandboxRecoveryIT {
  private static final Logger LOG = LoggerFactory.getLogger(SandboxRecoveryIT.class);

  @Test
  void theFlinkJobAndKafkaKilledMidRunAreRestartedAndTheVerificationStaysExact(@TempDir Path data)
      throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = SandboxRuns.alsoTo(captured);
    SandboxRun.Settings settings = settings(data, 40_000, 1_000);
    SandboxRun run = new SandboxRun(settings, out);
    CompletableFuture<Integer> result =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return run.run();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });

    // Mid-run: once the Flink job has checkpointed some progress, kill Kafka (SIGKILL) while the
    // generator produces, then the Flink job. Kafka goes first because only its kill must land
    // while the generator runs, and on a busy machine the job's first checkpoint comes late.
    awaitCommittedByFlink(settings.kafkaPort(), Duration.ofMinutes(3));
    run.part(PartCommands.KAFKA).orElseThrow().kill();
    assertThat(run.part(PartCommands.GENERATOR).orElseThrow().isAlive())
        .as("the generator was still producing when Kafka went down")
        .isTrue();
    awaitRestart(run, PartCommands.KAFKA);
    ChildProcess streamJob = run.part(PartCommands.STREAM_JOB).orElseThrow();
    assertThat(streamJob.isAlive()).isTrue();
    streamJob.kill();
    awaitRestart(run, PartCommands.STREAM_JOB);

    assertThat(result.get(15, TimeUnit.MINUTES)).isZero();
    JsonNode report = report(data);
    assertThat(report.path("verdict").asText()).isEqualTo("PASS");
    assertThat(check(report, "unique events in the ground truth")).isEqualTo("PASS 40000");
    assertThat(check(report, "sessions (over the events it accepted)")).startsWith("PASS");
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains(PartCommands.STREAM_JOB + " ended")
        .contains(PartCommands.KAFKA + " ended");
  }

  private static void awaitRestart(SandboxRun run, String part) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (run.restartsOf(part) == 0 || !run.part(part).orElseThrow().isAlive()) {
      assertThat(System.nanoTime()).as("%s restarted within 2 minutes", part).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** Until the Flink job has committed offsets: a checkpoint it restarts from exists. */
  private static void awaitCommittedByFlink(int kafkaPort, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaProgress kafka = new KafkaProgress("127.0.0.1:" + kafkaPort)) {
      while (true) {
        try {
          if (KafkaProgress.total(
                  kafka.committed(PipelineNames.STREAM_JOB_GROUP, PipelineNames.EVENTS_TOPIC))
              > 0) {
            return;
          }
        } catch (Exception e) {
          LOG.debug("the broker or the group is not there yet; asking again", e);
        }
        assertThat(System.nanoTime()).as("Flink committed offsets").isLessThan(deadline);
        Thread.sleep(500);
      }
    }
  }
}
