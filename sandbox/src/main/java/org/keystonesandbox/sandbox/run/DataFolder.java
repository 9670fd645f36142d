package org.keystonesandbox.sandbox.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.keystonesandbox.cli.Folders;
import org.keystonesandbox.cli.UsageException;

/**
 * The folder a run keeps everything in ({@code --data-dir}): the marker that says the sandbox
 * created it, the numbering of the generator's runs, and the paths of what each part writes.
 */
final class DataFolder {
  /** The file that marks a folder as the sandbox's: only such a folder is continued or deleted. */
  static final String MARKER = ".keystone-sandbox";

  /** The file a run holds a lock on while it uses the folder, so that a second run is refused. */
  static final String LOCK = ".lock";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;

  DataFolder(Path root) {
    this.root = root;
  }

  /**
   * Locks the folder for this run (creating it if missing); refuses it while another run holds the
   * lock. Closing the returned handle releases it.
   */
  AutoCloseable lock() throws IOException {
    Files.createDirectories(root);
    FileChannel channel =
        FileChannel.open(root.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException heldInThisJvm) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new InUseException(
          "another sandbox run is using "
              + root
              + " (it holds "
              + root.resolve(LOCK)
              + "): stop it first, or pick another --data-dir");
    }
    return channel::close;
  }

  /**
   * Makes the folder ready: refuses a non-empty folder without the marker, deletes the sandbox's
   * folder first with {@code fresh} (all but the lock this run holds), else continues it.
   */
  void prepare(boolean fresh, PrintStream out) throws IOException {
    boolean isSandbox = Files.exists(root.resolve(MARKER));
    boolean empty = !Files.exists(root) || isEmpty(root);
    if (!isSandbox && !empty) {
      throw new UsageException(
          root + " is not empty and not a sandbox data folder: pick another --data-dir");
    }
    if (fresh && isSandbox) {
      out.println("sandbox: --fresh: deleting " + root);
      Folders.empty(root, root.resolve(LOCK)::equals);
    } else if (isSandbox) {
      out.println("sandbox: continuing the pipeline in " + root + " (--fresh starts over)");
    }
    Files.createDirectories(root);
    Files.writeString(root.resolve(MARKER), "a keystone-sandbox data folder; --fresh deletes it\n");
  }

  /** Empty but for a run's lock. */
  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.allMatch(p -> p.getFileName().toString().equals(LOCK));
    }
  }

  Path logs() {
    return root.resolve("logs");
  }

  /** Where a part's output goes. */
  Path log(String part) {
    return logs().resolve(part + ".log");
  }

  Path kafka() {
    return root.resolve("kafka");
  }

  /** The generator's runs, {@code run-001}, {@code run-002}, ...: the ground truth. */
  Path generator() {
    return root.resolve("generator");
  }

  Path checkpoints() {
    return root.resolve("stream-job").resolve("checkpoints");
  }

  /** Flink's temporary files ({@code io.tmp.dirs}) of the stream job. */
  Path flinkTmp() {
    return root.resolve("stream-job").resolve("tmp");
  }

  /** The Iceberg warehouse. */
  Path lake() {
    return root.resolve("lake");
  }

  /** The chain's run log. */
  Path batchRuns() {
    return root.resolve("batch-runs.jsonl");
  }

  Path verificationReport() {
    return root.resolve("verify").resolve("report.json");
  }

  Path verificationText() {
    return root.resolve("verify").resolve("report.txt");
  }

  /** The generator run to start now: the next number, continuing the event time of the last. */
  GeneratorRun nextGeneratorRun() throws IOException {
    List<Path> earlier = generatorRuns();
    int number = earlier.size() + 1;
    Path dir = generator().resolve(String.format("run-%03d", number));
    Path first = earlier.isEmpty() ? dir : earlier.get(0);
    return new GeneratorRun(
        number,
        dir,
        first.resolve("titles.csv"),
        lastEventTime(earlier).map(DataFolder::continuationStart));
  }

  private List<Path> generatorRuns() throws IOException {
    if (!Files.isDirectory(generator())) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(generator())) {
      return children.filter(d -> d.getFileName().toString().startsWith("run-")).sorted().toList();
    }
  }

  private static Optional<Instant> lastEventTime(List<Path> runs) throws IOException {
    Instant last = null;
    for (Path run : runs) {
      Path summary = run.resolve("summary.json");
      if (!Files.exists(summary)) {
        throw new IllegalStateException(
            run + " has no summary.json: that run did not finish; start over with --fresh");
      }
      Instant t = Instant.parse(JSON.readTree(summary.toFile()).path("last_event_time").asText());
      last = last == null || t.isAfter(last) ? t : last;
    }
    return Optional.ofNullable(last);
  }

  /**
   * A day boundary more than a session gap after the last run's events: no session spans two runs,
   * so the drain that ended the last run changed no answer.
   */
  static Instant continuationStart(Instant lastEvent) {
    return lastEvent
        .plus(1, ChronoUnit.HOURS)
        .truncatedTo(ChronoUnit.DAYS)
        .plus(1, ChronoUnit.DAYS);
  }

  /**
   * One run of the generator.
   *
   * @param number 1 for the folder's first run
   * @param dir where it writes its ground truth
   * @param titles the title catalog every run shares: the first run's
   * @param start the event time it starts at when it continues an earlier run
   */
  record GeneratorRun(int number, Path dir, Path titles, Optional<Instant> start) {
    Path summary() {
      return dir.resolve("summary.json");
    }
  }
}
