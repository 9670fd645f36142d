package org.keystonesandbox.sandbox.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.events.names.StreamCounters;
import org.keystonesandbox.sandbox.status.StatusCollector;
import org.keystonesandbox.verify.report.Check;
import org.keystonesandbox.verify.report.Report;

class DrainTest {
  @TempDir Path dir;

  private static Report report(Instant at) {
    return Report.of(
        at,
        4.2,
        List.of(
            Check.pass("ground truth", "unique events in the ground truth", 15000),
            Check.compare("gold", "daily title x country rows", "4812 rows", "4811 rows")));
  }

  @Test
  void theVerifiersReportIsReadBackFromItsJsonWithTheTextItPrinted() {
    Path file = dir.resolve("verify").resolve("report.json");
    Report written = report(Instant.parse("2025-03-14T10:22:39Z"));
    written.writeJson(file);

    Report read =
        Drain.reportWrittenSince(file, Instant.parse("2025-03-14T10:20:00Z")).orElseThrow();

    assertThat(read).isEqualTo(written);
    assertThat(read.text()).isEqualTo(written.text()).contains("MISMATCH");
  }

  @Test
  void aReportOlderThanTheVerifiersStartIsAPreviousRunsAndNotUsed() {
    Path file = dir.resolve("report.json");
    report(Instant.parse("2025-03-14T10:22:39Z")).writeJson(file);

    assertThat(Drain.reportWrittenSince(file, Instant.parse("2025-03-14T11:00:00Z"))).isEmpty();
  }

  @Test
  void noReportOrAnUnreadableOneIsNone() throws Exception {
    Path file = dir.resolve("report.json");
    assertThat(Drain.reportWrittenSince(file, Instant.EPOCH)).isEmpty();

    Files.writeString(file, "{\"at\": ");
    assertThat(Drain.reportWrittenSince(file, Instant.EPOCH)).isEmpty();
  }

  @Test
  void theFinalCountersAreTheLastFinishedLineWrittenAfterTheOffsetNotAnEarlierRunsOne()
      throws Exception {
    Path log = dir.resolve("stream-job.log");
    String earlier =
        "stream-job finished: parsed 10 | malformed 0 | duplicates dropped 0 | late 0"
            + " | sessions out 4 (retractions 0)\n";
    Files.writeString(log, earlier);
    long offset = Files.size(log);
    assertThat(Drain.finalCounters(log, offset)).isEmpty();

    Files.writeString(
        log,
        earlier
            + "stream-job: parsed 20 | malformed 0 | duplicates dropped 0 | late 0"
            + " | sessions out 5 (retractions 0) | 3 events/s\n"
            + "stream-job finished: parsed 25 | malformed 1 | duplicates dropped 2 | late 3"
            + " | sessions out 9 (retractions 1)\n");

    assertThat(Drain.finalCounters(log, offset).orElseThrow())
        .containsEntry(StreamCounters.EVENTS_PARSED, 25L)
        .containsEntry(StreamCounters.SESSIONS_EMITTED, 9L);
  }

  @Test
  void aVerifierStillRunningAtItsTimeoutIsStoppedAndTheRunEndsWithAnError() throws Exception {
    Path home = dir.resolve("home");
    hangingJar(home.resolve(Jars.VERIFY));
    DataFolder data = new DataFolder(dir.resolve("data"));
    SandboxRun.Settings settings =
        new SandboxRun.Settings(
            home,
            dir.resolve("data"),
            false,
            1L,
            null,
            1,
            List.of(),
            List.of(),
            List.of(),
            1,
            1,
            0,
            -1,
            "127.0.0.1",
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            Duration.ofMinutes(1),
            Duration.ofSeconds(2),
            false);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    Supervisor supervisor = new Supervisor(new Jars(home), data, out);
    try (StatusCollector collector = new StatusCollector(nothingAnswers(data))) {
      Drain drain =
          new Drain(settings, data, new PartCommands(settings, data), supervisor, collector, out);

      assertThat(drain.verify()).isEqualTo(ExitCodes.ERROR);

      assertThat(supervisor.get(PartCommands.VERIFIER).isAlive()).isFalse();
      assertThat(printed.toString(StandardCharsets.UTF_8))
          .contains("the verifier is still running after 2s (--verify-timeout): stopping it")
          .contains("hanging-part: started");
    } finally {
      supervisor.stopAll(Duration.ofSeconds(5));
    }
  }

  @Test
  void kafkaNotAnsweringIsWaitedOutWhileAnyOtherErrorIsPermanent() {
    assertThat(Drain.isUnavailable(new TimeoutException())).isTrue();
    assertThat(Drain.isUnavailable(new ExecutionException(new NotLeaderOrFollowerException("x"))))
        .isTrue();
    assertThat(
            Drain.isUnavailable(
                new ExecutionException(new GroupAuthorizationException("not allowed"))))
        .isFalse();
    assertThat(Drain.isUnavailable(new IllegalStateException("unreadable bronze offsets")))
        .isFalse();
  }

  @Test
  void readersPastTheTopicsEndStopTheDrainAtOnceNamingThePartition() {
    Map<Integer, Long> end = Map.of(0, 100L, 1, 80L);
    Drain.requireWithin(end, Map.of(0, 100L, 1, 75L), "the Flink job's committed offsets");

    assertThatThrownBy(
            () -> Drain.requireWithin(end, Map.of(0, 100L, 1, 90L), "the offsets bronze committed"))
        .hasMessageContaining("the offsets bronze committed are past the end")
        .hasMessageContaining("partition 1: 90, end 80");
    assertThatThrownBy(() -> Drain.requireWithin(end, Map.of(2, 5L), "the offsets"))
        .hasMessageContaining("partition 2: 5, end no such partition");
  }

  @Test
  void aChainFailingEveryAttemptSinceTheDrainBeganIsReportedWithItsLastError() throws Exception {
    Path runLog = dir.resolve("batch-runs.jsonl");
    Files.writeString(
        runLog,
        """
        {"run":6,"stage":"silver","attempt":1,"status":"failed","error":"before the drain"}
        {"run":6,"stage":"silver","attempt":2,"status":"failed","error":"before the drain"}
        """);
    long drainStart = Files.size(runLog);
    StringBuilder attempts = new StringBuilder();
    for (int attempt = 1; attempt <= 3; attempt++) {
      attempts.append(
          String.format(
              "{\"run\":7,\"stage\":\"gold\",\"attempt\":%d,\"status\":\"failed\","
                  + "\"error\":\"IOException: No space left on device\"}%n",
              attempt));
    }
    Files.writeString(runLog, attempts, java.nio.file.StandardOpenOption.APPEND);

    assertThat(Drain.chainFailingSince(runLog, drainStart, 4)).isEmpty();
    assertThat(Drain.chainFailingSince(runLog, 0, 4)).isPresent();
    assertThat(Drain.chainFailingSince(runLog, drainStart, 3))
        .contains("run 7 gold: IOException: No space left on device");

    Files.writeString(
        runLog,
        "{\"run\":8,\"stage\":\"bronze\",\"attempt\":1,\"status\":\"ok\"}\n",
        java.nio.file.StandardOpenOption.APPEND);
    assertThat(Drain.chainFailingSince(runLog, drainStart, 3)).isEmpty();
  }

  private static StatusCollector.Sources nothingAnswers(DataFolder data) {
    return new StatusCollector.Sources(
        "embedded",
        "127.0.0.1:1",
        PipelineNames.EVENTS_TOPIC,
        PipelineNames.SESSIONS_TOPIC,
        PipelineNames.LATE_TOPIC,
        PipelineNames.DEAD_LETTER_TOPIC,
        PipelineNames.STREAM_JOB_GROUP,
        "http://127.0.0.1:1",
        data.lake(),
        PipelineNames.LAKE_NAMESPACE,
        data.batchRuns(),
        data.verificationReport(),
        data.generator(),
        Map.of());
  }

  /** A runnable jar of {@link HangingPart}. */
  private static void hangingJar(Path jar) throws Exception {
    Files.createDirectories(jar.getParent());
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, HangingPart.class.getName());
    String entry = HangingPart.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest);
        InputStream classFile = HangingPart.class.getResourceAsStream("/" + entry)) {
      out.putNextEntry(new JarEntry(entry));
      classFile.transferTo(out);
      out.closeEntry();
    }
  }
}
