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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.sandbox.run.SandboxRun;

/**
 * The embedded mode end to end, as {@code keystone-sandbox.jar run} runs it, and the verifier's
 * report at the end. Needs no Docker.
 */
class SandboxEmbeddedIT {
  @Test
  void aRunVerifiesEveryStageExactlyAndASecondRunOnTheSameFolderContinuesIt(@TempDir Path data)
      throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = SandboxRuns.alsoTo(captured);
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
}
