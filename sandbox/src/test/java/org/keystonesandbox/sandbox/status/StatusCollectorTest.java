package org.keystonesandbox.sandbox.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
