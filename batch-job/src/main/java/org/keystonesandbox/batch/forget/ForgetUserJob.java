package org.keystonesandbox.batch.forget;

import static org.keystonesandbox.events.names.PipelineNames.BRONZE_EVENTS;
import static org.keystonesandbox.events.names.PipelineNames.BRONZE_QUARANTINE;
import static org.keystonesandbox.events.names.PipelineNames.GOLD_COMPLETIONS;
import static org.keystonesandbox.events.names.PipelineNames.GOLD_USER_DAILY;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_EVENTS;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_SESSIONS;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.DeleteOrphanFiles;
import org.apache.iceberg.actions.ExpireSnapshots;
import org.apache.iceberg.actions.RewriteDataFiles;
import org.apache.iceberg.spark.CommitMetadata;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.lake.Tables;

/**
 * Erases one user (a right-to-be-forgotten request) from every table that holds their rows, until
 * no live file, no kept snapshot and no file in the tables' folders holds them (orphans included):
 * a delete per table, compaction of the files the deletes touched, and expiry of every older
 * snapshot.
 *
 * <p>The jobs find their place in snapshot summaries (bronze's Kafka offsets, the upstream snapshot
 * silver and gold read up to). Every new snapshot carries bronze's offsets forward, and the read
 * points move to the erased upstream snapshots, so that expiry can drop every older snapshot and
 * the chain still continues where it was. That move is right only when silver has read bronze's
 * newest snapshot and gold silver's (or never ran); otherwise the job refuses, and the chain must
 * catch up first. The chain must not run meanwhile. Gold's title x country figures are aggregates
 * with no user id and stay as they are.
 */
public final class ForgetUserJob {
  /**
   * What the job did to one table.
   *
   * @param rowsDeleted the user's rows the delete removed
   * @param deleteFilesWritten delete files the delete committed (merge-on-read), from its snapshot
   * @param dataFilesReplaced data files the delete rewrote without the rows (copy-on-write), from
   *     its snapshot
   * @param filesRewritten data files the compaction rewrote, folding the deletes in
   * @param maintenance what expiry and orphan removal removed afterwards
   */
  public record TableResult(
      String table,
      long rowsDeleted,
      long deleteFilesWritten,
      long dataFilesReplaced,
      long filesRewritten,
      Maintenance maintenance) {
    TableResult withMaintenance(Maintenance done) {
      return new TableResult(
          table, rowsDeleted, deleteFilesWritten, dataFilesReplaced, filesRewritten, done);
    }
  }

  /**
   * What the maintenance after the delete removed from one table.
   *
   * @param snapshotsExpired snapshots no longer in the table's metadata
   * @param dataFilesDeleted data files expiry deleted (the ones the compaction replaced)
   * @param deleteFilesDeleted position and equality delete files expiry deleted
   * @param metadataFilesDeleted manifests and manifest lists expiry deleted
   * @param orphansDeleted files in the table's folder no snapshot referenced, deleted
   */
  public record Maintenance(
      int snapshotsExpired,
      long dataFilesDeleted,
      long deleteFilesDeleted,
      long metadataFilesDeleted,
      int orphansDeleted) {
    static final Maintenance NONE = new Maintenance(0, 0, 0, 0, 0);
  }

  private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_.:@-]+");

  private final SparkSession spark;
  private final LakeSettings lake;

  public ForgetUserJob(SparkSession spark, LakeSettings lake) {
    this.spark = spark;
    this.lake = lake;
  }

  public List<TableResult> run(String userId) {
    Map<String, String> rowsOf = rowsOf(userId);
    Tables.createAll(spark, lake);
    Table bronze = SnapshotMarks.load(spark, lake.table(BRONZE_EVENTS));
    Table quarantine = SnapshotMarks.load(spark, lake.table(BRONZE_QUARANTINE));
    Table sessions = SnapshotMarks.load(spark, lake.table(SILVER_SESSIONS));
    Table userDaily = SnapshotMarks.load(spark, lake.table(GOLD_USER_DAILY));
    requireCaughtUp(
        bronze,
        sessions,
        SnapshotMarks.BRONZE_SNAPSHOT,
        ForgetUserJob::appendsFiles,
        "silver",
        "bronze");
    requireCaughtUp(
        sessions,
        userDaily,
        SnapshotMarks.SILVER_SNAPSHOT,
        ForgetUserJob::replacesDays,
        "gold",
        "silver");

    List<TableResult> results = new ArrayList<>();
    results.add(erase(bronze, rowsOf.get(BRONZE_EVENTS), ownOffsets(bronze)));
    results.add(erase(quarantine, rowsOf.get(BRONZE_QUARANTINE), ownOffsets(quarantine)));
    results.add(erase(load(SILVER_EVENTS), rowsOf.get(SILVER_EVENTS), Map.of()));
    results.add(
        erase(
            sessions,
            rowsOf.get(SILVER_SESSIONS),
            readPoint(sessions, SnapshotMarks.BRONZE_SNAPSHOT, bronze)));
    results.add(
        erase(
            userDaily,
            rowsOf.get(GOLD_USER_DAILY),
            readPoint(userDaily, SnapshotMarks.SILVER_SNAPSHOT, sessions)));
    results.add(erase(load(GOLD_COMPLETIONS), rowsOf.get(GOLD_COMPLETIONS), Map.of()));

    // Only now, with every mark on a current snapshot: a crash before this point leaves the
    // tables readable and the job can run again.
    long now = System.currentTimeMillis();
    List<TableResult> done = new ArrayList<>();
    for (TableResult result : results) {
      done.add(result.withMaintenance(expireAndRemoveOrphans(load(result.table()), now)));
    }
    return done;
  }

  /** Every snapshot older than {@code now} but the current expired, then the table's orphans. */
  private Maintenance expireAndRemoveOrphans(Table table, long now) {
    int snapshotsBefore = count(table.snapshots());
    ExpireSnapshots.Result expired =
        SparkActions.get(spark).expireSnapshots(table).expireOlderThan(now).retainLast(1).execute();
    table.refresh();
    // Files no snapshot ever referenced (a failed write, an aborted rewrite) may hold the user
    // too; with the chain stopped, none of them is a write in progress.
    DeleteOrphanFiles.Result orphans =
        SparkActions.get(spark).deleteOrphanFiles(table).olderThan(now).execute();
    return new Maintenance(
        snapshotsBefore - count(table.snapshots()),
        expired.deletedDataFilesCount(),
        expired.deletedPositionDeleteFilesCount() + expired.deletedEqualityDeleteFilesCount(),
        expired.deletedManifestsCount() + expired.deletedManifestListsCount(),
        count(orphans.orphanFileLocations()));
  }

  private static int count(Iterable<?> items) {
    int n = 0;
    for (Object ignored : items) {
      n++;
    }
    return n;
  }

  /**
   * Every table that holds the user's rows, upstream first, with the condition that finds them:
   * their user id, or for a quarantined record the id in its payload (found as text, so that a
   * record too broken to parse is still found when the id is intact in it).
   */
  public static Map<String, String> rowsOf(String userId) {
    if (!USER_ID.matcher(userId).matches()) {
      throw new IllegalArgumentException("not a user id: " + userId);
    }
    String byUser = "user_id = '" + userId + "'";
    Map<String, String> tables = new LinkedHashMap<>();
    tables.put(BRONZE_EVENTS, byUser);
    tables.put(
        BRONZE_QUARANTINE, "instr(CAST(payload AS STRING), '\"user_id\":\"" + userId + "\"') > 0");
    tables.put(SILVER_EVENTS, byUser);
    tables.put(SILVER_SESSIONS, byUser);
    tables.put(GOLD_USER_DAILY, byUser);
    tables.put(GOLD_COMPLETIONS, byUser);
    return tables;
  }

  private TableResult erase(Table table, String condition, Map<String, String> marks) {
    String name = table.name().substring(table.name().lastIndexOf('.') + 1);
    long rows =
        spark
            .sql("SELECT count(*) FROM " + lake.table(name) + " WHERE " + condition)
            .first()
            .getLong(0);
    long deleteFiles = 0;
    long replaced = 0;
    if (rows > 0) {
      CommitMetadata.withCommitProperties(
          marks,
          () -> spark.sql("DELETE FROM " + lake.table(name) + " WHERE " + condition),
          RuntimeException.class);
      table.refresh();
      Map<String, String> delete = table.currentSnapshot().summary();
      deleteFiles = Long.parseLong(delete.getOrDefault("added-delete-files", "0"));
      replaced = Long.parseLong(delete.getOrDefault("deleted-data-files", "0"));
    }
    table.refresh();
    RewriteDataFiles rewrite =
        SparkActions.get(spark)
            .rewriteDataFiles(table)
            .option("delete-file-threshold", "1")
            .option("remove-dangling-deletes", "true")
            .option("use-starting-sequence-number", "false");
    for (Map.Entry<String, String> mark : marks.entrySet()) {
      rewrite = rewrite.snapshotProperty(mark.getKey(), mark.getValue());
    }
    RewriteDataFiles.Result result = rewrite.execute();
    stamp(table, marks);
    return new TableResult(
        name, rows, deleteFiles, replaced, result.rewrittenDataFilesCount(), Maintenance.NONE);
  }

  /**
   * Makes sure the current snapshot carries {@code marks}: the delete and the compaction carry
   * them, but the removal of dangling deletes commits on its own, and a table with no row of the
   * user gets no commit at all. An append of no file is a snapshot with the marks and no data.
   */
  private static void stamp(Table table, Map<String, String> marks) {
    table.refresh();
    Map<String, String> summary =
        table.currentSnapshot() == null ? Map.of() : table.currentSnapshot().summary();
    boolean carried =
        marks.entrySet().stream().allMatch(m -> m.getValue().equals(summary.get(m.getKey())));
    if (!carried) {
      AppendFiles marker = table.newAppend();
      marks.forEach(marker::set);
      marker.commit();
    }
  }

  private Table load(String name) {
    return SnapshotMarks.load(spark, lake.table(name));
  }

  private static Map<String, String> ownOffsets(Table table) {
    Map<String, String> marks = new LinkedHashMap<>();
    SnapshotMarks.latest(table, SnapshotMarks.KAFKA_OFFSETS)
        .ifPresent(offsets -> marks.put(SnapshotMarks.KAFKA_OFFSETS, offsets));
    return marks;
  }

  /**
   * The downstream job's read point moved to the upstream table's current (erased) snapshot; none
   * if the job never ran, whose first run reads everything anyway.
   */
  private static Map<String, String> readPoint(Table downstream, String mark, Table upstream) {
    if (SnapshotMarks.snapshotIdMark(downstream, mark) == null) {
      return Map.of();
    }
    return Map.of(mark, Long.toString(SnapshotMarks.currentSnapshotId(upstream)));
  }

  /**
   * Refuses while {@code upstream} holds data the downstream job has not read: a snapshot after its
   * read point that {@code addsData}. Compactions, deletes and the marks' own commits add none, so
   * a chain that has nothing left to read counts as caught up.
   */
  private static void requireCaughtUp(
      Table upstream,
      Table downstream,
      String mark,
      Predicate<Snapshot> addsData,
      String job,
      String upstreamName) {
    Long read = SnapshotMarks.snapshotIdMark(downstream, mark);
    if (read == null) {
      return; // the job never ran: its first run reads everything there is
    }
    upstream.refresh();
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(upstream)) {
      if (snapshot.snapshotId() == read) {
        return;
      }
      if (addsData.test(snapshot)) {
        throw new IllegalStateException(
            job
                + " has not read all of "
                + upstreamName
                + " yet: run the chain until it has caught up, then forget");
      }
    }
    throw new IllegalStateException(
        job + "'s read point is not in " + upstreamName + "'s history: run the chain, then forget");
  }

  /** A bronze snapshot that appended files: records silver has to read. */
  private static boolean appendsFiles(Snapshot snapshot) {
    return DataOperations.APPEND.equals(snapshot.operation())
        && Long.parseLong(snapshot.summary().getOrDefault("added-data-files", "0")) > 0;
  }

  /** A silver snapshot that replaced days: what gold recomputes. */
  private static boolean replacesDays(Snapshot snapshot) {
    return snapshot.summary().containsKey(SnapshotMarks.EVENT_DAYS)
        || snapshot.summary().containsKey(SnapshotMarks.SESSION_DAYS);
  }
}
