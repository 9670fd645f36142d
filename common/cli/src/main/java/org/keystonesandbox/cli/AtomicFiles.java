package org.keystonesandbox.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files that readers must see whole or not at all (a run's {@code summary.json}, which marks it
 * complete; the verifier's report): written beside the target under a temporary name and renamed
 * over it in one step.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** What writes the file's content. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Writes {@code target} atomically: a reader sees the old file or the whole new one, and a
   * failure while writing leaves the old file (or none) and no temporary file behind.
   */
  public static void write(Path target, Content content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path partial = Files.createTempFile(dir, "." + target.getFileName(), ".partial");
    try {
      try (OutputStream out = Files.newOutputStream(partial)) {
        content.writeTo(out);
      }
      Files.move(
          partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }
}
