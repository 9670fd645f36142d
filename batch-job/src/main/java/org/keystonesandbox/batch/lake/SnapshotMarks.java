package org.keystonesandbox.batch.lake;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.iceberg.spark.SparkSQLProperties;
import org.apache.iceberg.util.PropertyUtil;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.events.names.PipelineNames;

/**
 * The jobs' progress marks, kept in the summaries of the snapshots that committed the data they
 * describe, so that progress and data are committed atomically. Marks are read from the current
 * snapshot's ancestry only: staged or rolled-back snapshots never count. A job whose session names
 * a write-audit-publish branch ({@code spark.wap.branch}) reads and writes that branch's marks
 * instead of main's, as its Spark reads and writes go to that branch (see {@link #branch}).
 */
public final class SnapshotMarks {
  /** Bronze: the Kafka offsets to read next, in Spark's offsets JSON. */
  public static final String KAFKA_OFFSETS = PipelineNames.KAFKA_OFFSETS_MARK;

  /** Silver: the bronze snapshot read up to. */
  public static final String BRONZE_SNAPSHOT = PipelineNames.BRONZE_SNAPSHOT_MARK;

  /** Silver: the event days whose events were replaced, comma-separated ISO dates. */
  public static final String EVENT_DAYS = "keystone.event-days";

  /** Silver: the session-start days whose sessions were replaced. */
  public static final String SESSION_DAYS = "keystone.session-days";

  /**
   * Silver: the newest event time {@code silver_events} held when the run committed, epoch ms; the
   * next run closes days by it (a rerun after a crash closes the same days as the first try).
   */
  public static final String HIGH_WATER = "keystone.silver-high-water";

  /** Gold: the silver sessions snapshot read up to. */
  public static final String SILVER_SNAPSHOT = PipelineNames.SILVER_SNAPSHOT_MARK;

  private SnapshotMarks() {}

  public static Table load(SparkSession spark, String table) {
    try {
      return Spark3Util.loadIcebergTable(spark, table);
    } catch (Exception e) {
      throw new IllegalStateException("cannot load table " + table + ": " + e.getMessage(), e);
    }
  }

  /**
   * The branch a job running in {@code spark} reads and writes {@code table} on, resolved as
   * Iceberg's Spark reads resolve it: the session's {@code spark.wap.branch} when the table has
   * write-audit-publish enabled and the branch exists, else main.
   */
  public static String branch(SparkSession spark, Table table) {
    String wapBranch = spark.conf().getOption(SparkSQLProperties.WAP_BRANCH).getOrElse(() -> null);
    boolean wapEnabled =
        PropertyUtil.propertyAsBoolean(
            table.properties(), TableProperties.WRITE_AUDIT_PUBLISH_ENABLED, false);
    return wapBranch != null && wapEnabled && table.refs().containsKey(wapBranch)
        ? wapBranch
        : SnapshotRef.MAIN_BRANCH;
  }

  /** The newest value of {@code key} in the current snapshot's ancestry. */
  public static Optional<String> latest(Table table, String key) {
    return latest(table, SnapshotRef.MAIN_BRANCH, key);
  }

  /** The newest value of {@code key} in the ancestry of {@code branch}'s head. */
  public static Optional<String> latest(Table table, String branch, String key) {
    Snapshot head = table.snapshot(branch);
    return head == null ? Optional.empty() : latestAsOf(table, head.snapshotId(), key);
  }

  /** A mark holding a snapshot id (the upstream snapshot a job read up to), or null if none. */
  public static Long snapshotIdMark(Table table, String key) {
    return snapshotIdMark(table, SnapshotRef.MAIN_BRANCH, key);
  }

  /** A mark holding a snapshot id, in the ancestry of {@code branch}'s head, or null if none. */
  public static Long snapshotIdMark(Table table, String branch, String key) {
    return latest(table, branch, key).map(Long::valueOf).orElse(null);
  }

  /** The newest value of {@code key} in the ancestry of {@code snapshotId} (itself included). */
  public static Optional<String> latestAsOf(Table table, long snapshotId, String key) {
    for (Snapshot snapshot : SnapshotUtil.ancestorsOf(snapshotId, table::snapshot)) {
      String value = snapshot.summary().get(key);
      if (value != null) {
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }

  /** The current ancestry's snapshots newer than {@code exclusiveSnapshotId}, newest first. */
  public static List<Snapshot> newerThan(Table table, Long exclusiveSnapshotId) {
    return newerThan(table, SnapshotRef.MAIN_BRANCH, exclusiveSnapshotId);
  }

  /** The snapshots of {@code branch}'s ancestry newer than {@code exclusiveSnapshotId}. */
  public static List<Snapshot> newerThan(Table table, String branch, Long exclusiveSnapshotId) {
    List<Snapshot> newer = new ArrayList<>();
    Snapshot head = table.snapshot(branch);
    for (Snapshot snapshot :
        head == null
            ? List.<Snapshot>of()
            : SnapshotUtil.ancestorsOf(head.snapshotId(), table::snapshot)) {
      if (exclusiveSnapshotId != null && snapshot.snapshotId() == exclusiveSnapshotId) {
        return newer;
      }
      newer.add(snapshot);
    }
    if (exclusiveSnapshotId != null) {
      throw new IllegalStateException(
          "snapshot "
              + exclusiveSnapshotId
              + " of "
              + table.name()
              + " is no longer in its history (expired?): rebuild with --full");
    }
    return newer;
  }

  /** Rows the current snapshot added, from its summary: no second pass over the data. */
  public static long addedRecords(Table table) {
    return addedRecords(table, SnapshotRef.MAIN_BRANCH);
  }

  /** Rows the head of {@code branch} added, from its summary. */
  public static long addedRecords(Table table, String branch) {
    table.refresh();
    Snapshot head = table.snapshot(branch);
    return head == null ? 0 : Long.parseLong(head.summary().getOrDefault("added-records", "0"));
  }

  public static Long currentSnapshotId(Table table) {
    return currentSnapshotId(table, SnapshotRef.MAIN_BRANCH);
  }

  /** The id of {@code branch}'s head, after a refresh; null for a branch with no snapshot. */
  public static Long currentSnapshotId(Table table, String branch) {
    table.refresh();
    Snapshot head = table.snapshot(branch);
    return head == null ? null : head.snapshotId();
  }
}
