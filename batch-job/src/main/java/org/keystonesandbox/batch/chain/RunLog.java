package org.keystonesandbox.batch.chain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chain's run log: one JSON line per stage attempt (run, stage, attempt, start, seconds,
 * status, what it read and wrote), appended and flushed as each attempt ends.
 */
public final class RunLog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(RunLog.class);
  private final Path file;

  public RunLog(Path file) {
    this.file = file;
  }

  /** One stage attempt. {@code figures} is what the stage read and wrote, by name. */
  public record Entry(
      long run,
      String stage,
      int attempt,
      Instant started,
      double seconds,
      String status,
      Map<String, Object> figures,
      String error) {}

  public void append(Entry entry) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("run", entry.run());
    line.put("stage", entry.stage());
    line.put("attempt", entry.attempt());
    line.put("started", entry.started().toString());
    line.put("seconds", Math.round(entry.seconds() * 1000) / 1000.0);
    line.put("status", entry.status());
    line.putAll(entry.figures());
    if (entry.error() != null) {
      line.put("error", entry.error());
    }
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      // A line cut short (a kill, a full disk) must not swallow the next one.
      String separator = endsMidLine() ? "\n" : "";
      Files.writeString(
          file,
          separator + JSON.writeValueAsString(line) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the run log " + file, e);
    }
  }

  private boolean endsMidLine() throws IOException {
    if (!Files.exists(file) || Files.size(file) == 0) {
      return false;
    }
    try (var channel = Files.newByteChannel(file)) {
      channel.position(channel.size() - 1);
      ByteBuffer last = ByteBuffer.allocate(1);
      channel.read(last);
      return last.get(0) != '\n';
    }
  }

  /**
   * The number of the last run in the log, 0 if none: a restarted chain continues counting. A line
   * that is not JSON (a write cut short by a kill or a full disk, also inside a multi-byte
   * character) is skipped with a warning.
   */
  public long lastRun() {
    if (!Files.exists(file)) {
      return 0;
    }
    try {
      long last = 0;
      int unreadable = 0;
      // Decoded leniently: a line cut inside a multi-byte character is one more unreadable line,
      // where a strict decoder would fail the whole log, and every later start with it.
      for (String line :
          new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList()) {
        if (line.isBlank()) {
          continue;
        }
        try {
          last = Math.max(last, JSON.readTree(line).path("run").asLong());
        } catch (JsonProcessingException cutShort) {
          unreadable++;
        }
      }
      if (unreadable > 0) {
        LOG.warn(
            "the run log {} has {} unreadable line(s), a write cut short; skipped",
            file,
            unreadable);
      }
      return last;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the run log " + file, e);
    }
  }
}
