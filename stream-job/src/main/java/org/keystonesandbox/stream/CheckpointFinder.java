package org.keystonesandbox.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the newest completed checkpoint ({@code <job>/chk-N/_metadata}) or savepoint ({@code
 * savepoint-*\/_metadata}, as a stop with drain leaves) under a folder.
 */
final class CheckpointFinder {
  private CheckpointFinder() {}

  static Optional<Path> newest(Path checkpointDir) {
    if (!Files.isDirectory(checkpointDir)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.find(checkpointDir, 3, CheckpointFinder::isMetadata)) {
      return files.max(Comparator.comparing(CheckpointFinder::modified)).map(Path::getParent);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + checkpointDir, e);
    }
  }

  private static boolean isMetadata(Path path, java.nio.file.attribute.BasicFileAttributes attrs) {
    return attrs.isRegularFile()
        && path.getFileName().toString().equals("_metadata")
        && (path.getParent().getFileName().toString().startsWith("chk-")
            || path.getParent().getFileName().toString().startsWith("savepoint-"));
  }

  private static FileTime modified(Path path) {
    try {
      return Files.getLastModifiedTime(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
