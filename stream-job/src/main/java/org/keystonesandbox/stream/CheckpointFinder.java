package org.keystonesandbox.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Finds the newest completed checkpoint ({@code <job>/chk-N/_metadata}) or savepoint ({@code
 * savepoint-*\/_metadata}, as a stop with drain leaves) under a checkpoint folder, and removes the
 * folders of older runs. Through Flink's own file systems, so that a folder works whatever its
 * scheme, as long as Flink has a file system for it ({@code file:} always).
 */
final class CheckpointFinder {
  private static final String METADATA = "_metadata";

  /** The folder Flink names after a job's id: 32 hexadecimal digits. */
  private static final Pattern JOB_FOLDER = Pattern.compile("[0-9a-f]{32}");

  private CheckpointFinder() {}

  /** A run's folder under the checkpoint folder, and when its newest checkpoint completed. */
  private record Run(Path folder, Optional<Checkpoint> newest, long modified) {
    long age() {
      return newest.map(Checkpoint::completed).orElse(modified);
    }
  }

  private record Checkpoint(Path folder, long completed) {}

  /**
   * The file system of {@code checkpointDir}; fails with a one-line message when Flink has none for
   * its scheme.
   */
  static FileSystem fileSystem(Path checkpointDir) {
    try {
      return checkpointDir.getFileSystem();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "no Flink file system for the checkpoint folder "
              + checkpointDir
              + " ("
              + e.getMessage().lines().findFirst().orElse(e.getClass().getSimpleName())
              + ")",
          e);
    }
  }

  static Optional<Path> newest(Path checkpointDir) {
    return runs(checkpointDir).stream()
        .flatMap(run -> run.newest().stream())
        .max(Comparator.comparingLong(Checkpoint::completed))
        .map(Checkpoint::folder);
  }

  /**
   * Deletes the folders of all runs under {@code checkpointDir} but the {@code keep} newest (a
   * run's folder is the job id's, or a savepoint's; its age is its newest {@code _metadata}) and
   * the one holding {@code restoring}; a job's folder without any completed checkpoint goes too
   * when it is older than the newest run kept. Returns the folders deleted.
   */
  static List<Path> removeAllButNewest(Path checkpointDir, int keep, Optional<String> restoring) {
    List<Run> runs = runs(checkpointDir);
    List<Run> completed =
        runs.stream()
            .filter(run -> run.newest().isPresent())
            .sorted(Comparator.comparingLong(Run::age).reversed())
            .toList();
    long newestKept = completed.isEmpty() ? Long.MIN_VALUE : completed.get(0).age();
    List<Run> old =
        new ArrayList<>(completed.subList(Math.min(keep, completed.size()), completed.size()));
    runs.stream()
        .filter(run -> run.newest().isEmpty())
        .filter(run -> JOB_FOLDER.matcher(run.folder().getName()).matches())
        .filter(run -> run.modified() < newestKept)
        .forEach(old::add);
    FileSystem fs = fileSystem(checkpointDir);
    List<Path> removed = new ArrayList<>();
    for (Run run : old) {
      if (restoring.map(path -> isUnder(path, run.folder())).orElse(false)) {
        continue;
      }
      try {
        fs.delete(run.folder(), true);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete old checkpoints in " + run.folder(), e);
      }
      removed.add(run.folder());
    }
    return removed;
  }

  private static List<Run> runs(Path checkpointDir) {
    FileSystem fs = fileSystem(checkpointDir);
    List<Run> runs = new ArrayList<>();
    try {
      if (!fs.exists(checkpointDir)) {
        return runs;
      }
      for (FileStatus child : list(fs, checkpointDir)) {
        if (!child.isDir()) {
          continue;
        }
        Optional<Checkpoint> newest =
            child.getPath().getName().startsWith("savepoint-")
                ? completed(fs, child.getPath())
                : list(fs, child.getPath()).stream()
                    .filter(FileStatus::isDir)
                    .filter(f -> f.getPath().getName().startsWith("chk-"))
                    .flatMap(f -> completed(fs, f.getPath()).stream())
                    .max(Comparator.comparingLong(Checkpoint::completed));
        runs.add(new Run(child.getPath(), newest, child.getModificationTime()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + checkpointDir, e);
    }
    return runs;
  }

  /** The checkpoint in {@code folder} if it completed: it has its {@code _metadata}. */
  private static Optional<Checkpoint> completed(FileSystem fs, Path folder) {
    try {
      Path metadata = new Path(folder, METADATA);
      if (!fs.exists(metadata)) {
        return Optional.empty();
      }
      return Optional.of(new Checkpoint(folder, fs.getFileStatus(metadata).getModificationTime()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + folder, e);
    }
  }

  private static List<FileStatus> list(FileSystem fs, Path folder) throws IOException {
    FileStatus[] children = fs.listStatus(folder);
    return children == null ? List.of() : List.of(children);
  }

  private static boolean isUnder(String path, Path folder) {
    String restored = new Path(path).makeQualified(fileSystem(folder)).toUri().getPath();
    String run = folder.makeQualified(fileSystem(folder)).toUri().getPath();
    return (restored + "/").startsWith(run.endsWith("/") ? run : run + "/");
  }
}
