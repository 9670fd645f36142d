package org.keystonesandbox.labs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/** Figures read from an Iceberg table's metadata, and timings, as the labs print them. */
final class LakeFigures {
  private LakeFigures() {}

  /** A number of files and their bytes: the files a scan plans, or a table's live files. */
  record FileSet(long count, long bytes) {
    long averageBytes() {
      return count == 0 ? 0 : bytes / count;
    }
  }

  /** The data files a scan of {@code table} with {@code filter} plans, as Spark's scan would. */
  static FileSet planned(Table table, Expression filter) {
    long count = 0;
    long bytes = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(filter).planFiles()) {
      for (FileScanTask task : tasks) {
        count++;
        bytes += task.file().fileSizeInBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new FileSet(count, bytes);
  }

  /** The table's live data files. */
  static FileSet dataFiles(Table table) {
    return planned(table, Expressions.alwaysTrue());
  }

  /** The live data files' paths by partition spec id. */
  static Map<Integer, List<String>> filesBySpec(Table table) {
    Map<Integer, List<String>> bySpec = new TreeMap<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        bySpec
            .computeIfAbsent(task.file().specId(), id -> new ArrayList<>())
            .add(task.file().location());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    bySpec.values().forEach(Collections::sort);
    return bySpec;
  }

  /** The live data files' paths. */
  static Set<String> dataFilePaths(Table table) {
    Set<String> paths = new TreeSet<>();
    filesBySpec(table).values().forEach(paths::addAll);
    return paths;
  }

  static int snapshots(Table table) {
    int count = 0;
    for (Snapshot ignored : table.snapshots()) {
      count++;
    }
    return count;
  }

  /** Bytes of the table's metadata folder: metadata files, manifest lists, manifests. */
  static long metadataBytes(Table table) {
    Path folder = Path.of(URI.create(table.location())).resolve("metadata");
    try (Stream<Path> files = Files.walk(folder)) {
      long bytes = 0;
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        bytes += Files.size(file);
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A number from the current snapshot's summary, 0 when the summary does not name it. */
  static long summary(Table table, String key) {
    return Long.parseLong(table.currentSnapshot().summary().getOrDefault(key, "0"));
  }

  /** The median wall time of {@code runs} runs of {@code work}, after one unmeasured warm-up. */
  static long medianMillis(int runs, Runnable work) {
    work.run();
    long[] millis = new long[runs];
    for (int i = 0; i < runs; i++) {
      long started = System.nanoTime();
      work.run();
      millis[i] = (System.nanoTime() - started) / 1_000_000;
    }
    Arrays.sort(millis);
    return millis[runs / 2];
  }
}
