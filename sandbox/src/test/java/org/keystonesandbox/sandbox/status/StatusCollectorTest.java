package org.keystonesandbox.sandbox.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.events.names.StreamCounters;

class StatusCollectorTest {
  @Test
  void aRunLogLineCutShortIsSkippedAndCountedWhileALastLineMidAppendIsNot(@TempDir Path dir)
      throws IOException {
    Path log = dir.resolve("batch-runs.jsonl");
    Files.writeString(
        log,
        """
        {"run":1,"stage":"gold","status":"ok"}
        {"run":2,"stage":"bro
        {"run":3,"stage":"silver","status":"failed"}
        {"run":3,"stage":"gold","sta""");
    ObjectNode batch = new ObjectMapper().createObjectNode();

    StatusCollector.runLog(batch, log);

    assertThat(batch.path("attempts").asInt()).isEqualTo(2);
    assertThat(batch.path("failedAttempts").asInt()).isEqualTo(1);
    assertThat(batch.path("unreadableLines").asInt()).isEqualTo(1);
    assertThat(batch.path("lastRun").path("run").asInt()).isEqualTo(3);
    assertThat(batch.path("lastGold").path("run").asInt()).isEqualTo(1);
  }

  @Test
  void aRunLogLineCutInsideAMultiByteCharacterIsSkippedAndCountedNotTheWholeLog(@TempDir Path dir)
      throws IOException {
    Path log = dir.resolve("batch-runs.jsonl");
    byte[] cut =
        "{\"run\":2,\"stage\":\"gold\",\"error\":\"caf\u00e9".getBytes(StandardCharsets.UTF_8);
    Files.writeString(log, "{\"run\":1,\"stage\":\"gold\",\"status\":\"ok\"}\n");
    Files.write(log, Arrays.copyOf(cut, cut.length - 1), StandardOpenOption.APPEND);
    Files.writeString(
        log, "\n{\"run\":3,\"stage\":\"gold\",\"status\":\"ok\"}\n", StandardOpenOption.APPEND);
    ObjectNode batch = new ObjectMapper().createObjectNode();

    StatusCollector.runLog(batch, log);

    assertThat(batch.path("attempts").asInt()).isEqualTo(2);
    assertThat(batch.path("unreadableLines").asInt()).isEqualTo(1);
    assertThat(batch.path("lastRun").path("run").asInt()).isEqualTo(3);
  }

  @Test
  void theLastRunThatDidWorkIsKeptBesideALastRunWithNothingToDo(@TempDir Path dir)
      throws IOException {
    Path log = dir.resolve("batch-runs.jsonl");
    Files.writeString(
        log,
        """
        {"run":4,"stage":"gold","status":"ok","days":2,"title_country_rows":40,"user_day_rows":12}
        {"run":5,"stage":"bronze","status":"ok","records_read":0,"events_appended":0}
        {"run":5,"stage":"gold","status":"ok","days":0,"title_country_rows":0,"user_day_rows":0}
        """);
    ObjectNode batch = new ObjectMapper().createObjectNode();

    StatusCollector.runLog(batch, log);

    assertThat(batch.path("lastRun").path("run").asInt()).isEqualTo(5);
    assertThat(batch.path("lastWork").path("run").asInt()).isEqualTo(4);
    assertThat(batch.path("lastWork").path("title_country_rows").asInt()).isEqualTo(40);
  }

  @Test
  void aDrainedJobWhoseRestApiIsGoneShowsItsFinalTotalsInsteadOfUnreachable(@TempDir Path dir)
      throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    StatusCollector.Sources nothingAnswers =
        new StatusCollector.Sources(
            "embedded",
            "127.0.0.1:" + closed,
            PipelineNames.EVENTS_TOPIC,
            PipelineNames.SESSIONS_TOPIC,
            PipelineNames.LATE_TOPIC,
            PipelineNames.DEAD_LETTER_TOPIC,
            PipelineNames.STREAM_JOB_GROUP,
            "http://127.0.0.1:" + closed,
            dir.resolve("lake"),
            PipelineNames.LAKE_NAMESPACE,
            dir.resolve("batch-runs.jsonl"),
            dir.resolve("report.json"),
            dir.resolve("generator"),
            Map.of());
    try (StatusCollector collector = new StatusCollector(nothingAnswers)) {
      assertThat(collector.poll().path("stream").has("counters")).isFalse();

      collector.streamDrained(
          StreamCounters.parseFinishedLine(
                  "stream-job finished: parsed 15,012 | malformed 3 | duplicates dropped 150"
                      + " | late 9 | sessions out 425 (retractions 2)")
              .orElseThrow());
      var stream = collector.poll().path("stream");

      assertThat(stream.path("reachable").asBoolean()).isFalse();
      assertThat(stream.path("ended").asText()).isEqualTo("drained");
      assertThat(stream.path("state").asText()).isEqualTo("FINISHED");
      assertThat(stream.path("counters").path(StreamCounters.SESSIONS_EMITTED).asLong())
          .isEqualTo(425);
      assertThat(stream.path("counters").path(StreamCounters.EVENTS_PARSED).asLong())
          .isEqualTo(15_012);
    }
  }
}
