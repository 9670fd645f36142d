package org.keystonesandbox.batch.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLogTest {
  private static RunLog.Entry entry(long run) {
    return new RunLog.Entry(run, "silver", 1, Instant.EPOCH, 1.5, "ok", Map.of("days", 2), null);
  }

  @Test
  void aLineCutShortIsSkippedAndTheNextEntryStartsOnALineOfItsOwn(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("batch-runs.jsonl");
    RunLog log = new RunLog(file);
    log.append(entry(1));
    Files.writeString(
        file, "{\"run\":2,\"stage\":\"go", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

    assertThat(log.lastRun()).isEqualTo(1);
    log.append(entry(3));

    assertThat(log.lastRun()).isEqualTo(3);
    assertThat(Files.readAllLines(file)).hasSize(3).element(2).asString().startsWith("{\"run\":3,");
  }

  @Test
  void aLineCutInsideAMultiByteCharacterIsSkippedInsteadOfFailingEveryStart(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("batch-runs.jsonl");
    RunLog log = new RunLog(file);
    log.append(entry(1));
    byte[] cut = "{\"run\":2,\"error\":\"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8);
    // cut after the first byte of the two that encode the é
    Files.write(file, Arrays.copyOf(cut, cut.length - 3), StandardOpenOption.APPEND);

    assertThat(log.lastRun()).isEqualTo(1);
    log.append(entry(3));
    assertThat(log.lastRun()).isEqualTo(3);
  }
}
