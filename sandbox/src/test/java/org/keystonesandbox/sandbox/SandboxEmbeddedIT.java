package org.keystonesandbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

/**
 * The embedded mode end to end, as {@code keystone-sandbox.jar run} runs it: every part a real
 * process from the built jars, every delivery fault of the generator on (duplicates, late,
 * out-of-order, malformed), and the verifier's report at the end. Needs no Docker.
 */
class SandboxEmbeddedIT {
  private static final Logger LOG = LoggerFactory.getLogger(SandboxEmbeddedIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path HOME =
      Path.of(System.getProperty("sandbox.home", "..")).toAbsolutePath().normalize();

  private static SandboxRun.Settings settings(Path dataDir, long count, int rate)
      throws IOException {
    return new SandboxRun.Settings(
        HOME,
        dataDir,
        false,
        count,
        null,
        rate,
        List.of("--late-rate", "0.02", "--duplicate-rate", "0.03", "--malformed-rate", "0.005"),
        List.of("--parallelism", "2"),
        List.of("--master", "local[2]"),
        freePort(),
        freePort(),
        0,
        -1,
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofMinutes(6),
        Duration.ofMinutes(10),
        false);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static JsonNode report(Path dataDir) throws IOException {
    return JSON.readTree(dataDir.resolve("verify").resolve("report.json").toFile());
  }

  private static String check(JsonNode report, String name) {
    for (JsonNode check : report.path("checks")) {
      if (check.path("name").asText().equals(name)) {
        return check.path("outcome").asText() + " " + check.path("actual").asText();
      }
    }
    return "absent";
  }

  @Test
  void aRunVerifiesEveryStageExactlyAndASecondRunOnTheSameFolderContinuesIt(@TempDir Path data)
      throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out =
        new PrintStream(new TeeStream(captured, System.out), true, StandardCharsets.UTF_8);
    assertThat(new SandboxRun(settings(data, 15_000, 2_000), out).run()).isZero();
    // The status line after the drain shows the job's final totals, not a job gone missing.
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("flink FINISHED: lag 0");
    JsonNode first = report(data);
    assertThat(first.path("verdict").asText()).isEqualTo("PASS");
    assertThat(check(first, "unique events in the ground truth")).isEqualTo("PASS 15000");
    assertThat(check(first, "daily title x country rows")).startsWith("PASS").endsWith("equal");
    assertThat(check(first, "sessions (over the events it accepted)")).startsWith("PASS");

    assertThat(new SandboxRun(settings(data, 5_000, 2_000), System.out).run()).isZero();
    JsonNode second = report(data);
    assertThat(second.path("verdict").asText()).isEqualTo("PASS");
    assertThat(check(second, "unique events in the ground truth")).isEqualTo("PASS 20000");
    assertThat(data.resolve("generator").resolve("run-002").resolve("summary.json")).exists();
  }

  @Test
  void theFlinkJobAndKafkaKilledMidRunAreRestartedAndTheVerificationStaysExact(@TempDir Path data)
      throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out =
        new PrintStream(new TeeStream(captured, System.out), true, StandardCharsets.UTF_8);
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

    // Mid-run: once the Flink job has checkpointed some progress, kill it (SIGKILL), then Kafka.
    awaitCommittedByFlink(settings.kafkaPort(), Duration.ofMinutes(3));
    ChildProcess streamJob = run.part(PartCommands.STREAM_JOB).orElseThrow();
    assertThat(streamJob.isAlive()).isTrue();
    streamJob.kill();
    awaitRestart(run, PartCommands.STREAM_JOB);
    Thread.sleep(5_000);
    run.part(PartCommands.KAFKA).orElseThrow().kill();
    awaitRestart(run, PartCommands.KAFKA);
    assertThat(run.part(PartCommands.GENERATOR).orElseThrow().isAlive())
        .as("the generator was still producing when Kafka went down")
        .isTrue();

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

  /** Writes to two streams: the test keeps what the run printed and still shows it. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }
  }
}
