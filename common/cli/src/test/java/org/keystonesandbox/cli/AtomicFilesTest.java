package org.keystonesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @Test
  void aWriteThatFailsHalfwayLeavesTheOldFileAndNoTemporaryOne(@TempDir Path dir)
      throws IOException {
    Path summary = dir.resolve("summary.json");
    AtomicFiles.write(summary, out -> out.write("{\"complete\":true}".getBytes()));

    assertThatThrownBy(
            () ->
                AtomicFiles.write(
                    summary,
                    out -> {
                      out.write("{\"compl".getBytes());
                      throw new IOException("disk full");
                    }))
        .hasMessage("disk full");

    assertThat(Files.readString(summary, StandardCharsets.UTF_8)).isEqualTo("{\"complete\":true}");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(summary);
    }
  }
}
