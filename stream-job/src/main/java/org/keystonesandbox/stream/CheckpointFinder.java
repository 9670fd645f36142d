package org.keystonesandbox.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.keystonesandbox.cli.Folders;

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

  /**
   * Deletes the checkpoint folders of all runs under {@code checkpointDir} but the {@code keep}
   * newest (a run's folder is the job id's, or a savepoint's; its age is its newest {@code
   * _metadata}) and the one holding {@code restoring}; returns the folders deleted.
   */
  static List<Path> removeAllButNewest(Path checkpointDir, int keep, Optional<String> restoring) {
    if (!Files.isDirectory(checkpointDir)) {
      return List.of();
    }
    Map<Path, FileTime> newestByRun = new HashMap<>();
    try (Stream<Path> files = Files.find(checkpointDir, 3, CheckpointFinder::isMetadata)) {
      files.forEach(
          metadata -> {
            Path run = checkpointDir.resolve(checkpointDir.relativize(metadata).getName(0));
            newestByRun.merge(run, modified(metadata), (a, b) -> a.compareTo(b) >= 0 ? a : b);
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + checkpointDir, e);
    }
    List<Path> old =
        newestByRun.entrySet().stream()
            .sorted(Map.Entry.<Path, FileTime>comparingByValue().reversed())
            .skip(keep)
            .map(Map.Entry::getKey)
            .filter(run -> restoring.map(path -> !isUnder(path, run)).orElse(true))
            .toList();
    old.forEach(CheckpointFinder::deleteRecursively);
    return old;
  }

  private static boolean isUnder(String path, Path folder) {
    String normalized = path.startsWith("file:") ? Path.of(URI.create(path)).toString() : path;
    return Path.of(normalized).toAbsolutePath().startsWith(folder.toAbsolutePath());
  }

  private static void deleteRecursively(Path folder) {
    try {
      Folders.delete(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete old checkpoints in " + folder, e);
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
