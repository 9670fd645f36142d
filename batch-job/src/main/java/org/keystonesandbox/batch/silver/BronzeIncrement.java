package org.keystonesandbox.batch.silver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;

/**
 * What silver is about to read from bronze, planned from Iceberg's metadata alone: the rows the
 * data files hold and the event days their partitions are. No pass over the data.
 */
record BronzeIncrement(long rows, SortedSet<LocalDate> days) {

  /**
   * @param afterSnapshot the snapshot read up to last time (exclusive), or null for everything
   * @param upToSnapshot the snapshot to read up to (inclusive)
   */
  static BronzeIncrement plan(Table bronze, Long afterSnapshot, long upToSnapshot) {
    CloseableIterable<FileScanTask> files =
        afterSnapshot == null
            ? bronze.newScan().useSnapshot(upToSnapshot).planFiles()
            : bronze
                .newIncrementalAppendScan()
                .fromSnapshotExclusive(afterSnapshot)
                .toSnapshot(upToSnapshot)
                .planFiles();
    long rows = 0;
    SortedSet<LocalDate> days = new TreeSet<>();
    try (files) {
      for (FileScanTask file : files) {
        rows += file.file().recordCount();
        days.add(LocalDate.ofEpochDay(eventDay(file)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new BronzeIncrement(rows, days);
  }

  /**
   * The event day of a file's rows, from its partition: a day of {@code event_ts}, or an hour of it
   * (a bronze whose partitioning evolved between the two keeps files of both).
   */
  private static int eventDay(FileScanTask file) {
    int position = 0;
    for (PartitionField field : file.spec().fields()) {
      if (file.spec().schema().findColumnName(field.sourceId()).equals("event_ts")) {
        switch (field.transform().toString()) {
          case "day" -> {
            return file.file().partition().get(position, Integer.class);
          }
          case "hour" -> {
            return Math.floorDiv(file.file().partition().get(position, Integer.class), 24);
          }
          default -> {
            // another transform of event_ts tells no day; a later field may
          }
        }
      }
      position++;
    }
    throw new IllegalStateException(
        "bronze is not partitioned by day or hour of event_ts: " + file.spec());
  }
}
