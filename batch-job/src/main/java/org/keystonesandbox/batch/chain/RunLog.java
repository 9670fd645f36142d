package org.keystonesandbox.batch.chain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The chain's run log: one JSON line per stage attempt (run, stage, attempt, start, seconds,
 * status, what it read and wrote), appended and flushed as each attempt ends.
 */
public final class RunLog {
  private static final ObjectMapper JSON = new ObjectMapper();
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
      Files.writeString(
          file,
          JSON.writeValueAsString(line) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the run log " + file, e);
    }
  }

  /** The number of the last run in the log, 0 if none: a restarted chain continues counting. */
  public long lastRun() {
    if (!Files.exists(file)) {
      return 0;
    }
    try {
      long last = 0;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          last = Math.max(last, JSON.readTree(line).path("run").asLong());
        }
      }
      return last;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the run log " + file, e);
    }
  }
}
