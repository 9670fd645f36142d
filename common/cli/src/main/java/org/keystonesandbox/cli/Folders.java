package org.keystonesandbox.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Folder trees the project deletes: a data folder started afresh, old checkpoints, a broker's or a
 * benchmark's scratch folder.
 */
public final class Folders {
  private Folders() {}

  /** Deletes {@code root} and everything in it; a root that is not there is fine. */
  public static void delete(Path root) throws IOException {
    empty(root, path -> false);
    Files.deleteIfExists(root);
  }

  /**
   * Deletes everything in {@code root} but the entries {@code keep} accepts (files directly in it,
   * such as a run's lock); {@code root} itself stays. A root that is not there is fine.
   */
  public static void empty(Path root, Predicate<Path> keep) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path path : paths) {
      if (!path.equals(root) && !keep.test(path)) {
        Files.deleteIfExists(path);
      }
    }
  }
}
