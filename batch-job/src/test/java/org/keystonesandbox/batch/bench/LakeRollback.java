package org.keystonesandbox.batch.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.SnapshotMarks;

/**
 * Tables' current snapshots, noted once, read or set back on request (Iceberg keeps the snapshots
 * written since, no longer current), so that a benchmark can run a job again on the same input and
 * compare what two runs wrote.
 */
final class LakeRollback {
  private final SparkSession spark;
  private final LakeSettings lake;
  private final Map<String, Long> snapshots;

  private LakeRollback(SparkSession spark, LakeSettings lake, Map<String, Long> snapshots) {
    this.spark = spark;
    this.lake = lake;
    this.snapshots = snapshots;
  }

  /** Notes the current snapshot of each table; a table with none yet must keep none. */
  static LakeRollback of(SparkSession spark, LakeSettings lake, List<String> tables) {
    Map<String, Long> snapshots = new LinkedHashMap<>();
    for (String table : tables) {
      snapshots.put(table, SnapshotMarks.currentSnapshotId(load(spark, lake, table)));
    }
    return new LakeRollback(spark, lake, snapshots);
  }

  /** Sets every table back to the snapshot noted. */
  void restore() {
    snapshots.forEach(
        (name, snapshot) -> {
          Table table = load(spark, lake, name);
          Long now = SnapshotMarks.currentSnapshotId(table);
          if (snapshot == null) {
            if (now != null) {
              throw new IllegalStateException(name + " was empty and cannot be set back to that");
            }
          } else if (!snapshot.equals(now)) {
            table.manageSnapshots().setCurrentSnapshot(snapshot).commit();
          }
        });
  }

  /** The rows {@code table} held at the snapshot noted (time travel: no cache can stand in). */
  Dataset<Row> rowsAsNoted(String table) {
    Long snapshot = snapshots.get(table);
    if (snapshot == null) {
      throw new IllegalStateException(table + " had no snapshot when noted");
    }
    return spark.sql("SELECT * FROM " + lake.table(table) + " VERSION AS OF " + snapshot);
  }

  private static Table load(SparkSession spark, LakeSettings lake, String name) {
    return SnapshotMarks.load(spark, lake.table(name));
  }
}
