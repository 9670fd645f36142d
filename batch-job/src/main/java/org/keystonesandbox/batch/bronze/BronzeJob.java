package org.keystonesandbox.batch.bronze;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.iceberg.ManageSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.Phase;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.lake.Tables;
import org.keystonesandbox.events.names.PipelineNames;

/**
 * Bronze: the events topic, from the offsets bronze committed last to the end offsets of the
 * moment, appended to {@code bronze_events} (valid events, raw payload, Kafka lineage) and {@code
 * bronze_quarantine} (rejected records with the reason).
 *
 * <p>Each table commits the offsets it has consumed in the summary of the very snapshot that adds
 * the rows, so data and progress are one atomic commit. Writing is two-phase: the rows are staged
 * as a snapshot that is not yet current (Iceberg's write-audit-publish), then published. A crash
 * before publishing leaves only an unreferenced staged snapshot; the next run starts again from the
 * published offsets. Each table filters out the offsets it already holds, so a crash between the
 * two tables' commits neither loses nor duplicates a record, and a rerun with nothing new in the
 * topic commits nothing.
 */
public final class BronzeJob {
  /** Where a test may make the job crash. */
  public enum Crash {
    NONE,
    /** After the events are staged (files written, snapshot created) and before publishing. */
    BEFORE_PUBLISHING_EVENTS,
    /** After the events are published and before the quarantine is written. */
    BETWEEN_TABLES,
    /** Not a crash: another writer commits to the events table after the events are staged. */
    CONCURRENT_COMMIT_BEFORE_PUBLISHING,
    /**
     * Not a crash: another writer commits to the events table after the publish checked that it is
     * a fast-forward and before it commits.
     */
    CONCURRENT_COMMIT_WHILE_PUBLISHING
  }

  public record Settings(
      String bootstrapServers, String topic, Duration kafkaTimeout, Crash crash) {
    public Settings(String bootstrapServers, String topic) {
      this(bootstrapServers, topic, Duration.ofSeconds(30), Crash.NONE);
    }
  }

  /** What one run read and wrote. */
  public record Result(long recordsRead, long eventsAppended, long rejectedAppended, String to) {}

  /** The most records one task reads: a topic is read in tasks of this size at most. */
  public static final long RECORDS_PER_TASK = 250_000;

  private final SparkSession spark;
  private final LakeSettings lake;

  public BronzeJob(SparkSession spark, LakeSettings lake) {
    this.spark = spark;
    this.lake = lake;
  }

  public Result run(Settings settings) {
    Tables.createAll(spark, lake);
    Table events = SnapshotMarks.load(spark, lake.table(PipelineNames.BRONZE_EVENTS));
    Table quarantine = SnapshotMarks.load(spark, lake.table(PipelineNames.BRONZE_QUARANTINE));
    KafkaOffsets eventsAt = committedOffsets(events, settings.topic());
    KafkaOffsets quarantineAt = committedOffsets(quarantine, settings.topic());
    KafkaOffsets end =
        KafkaOffsets.endOf(settings.bootstrapServers(), settings.topic(), settings.kafkaTimeout());
    Set<Integer> partitions = new TreeSet<>(end.next().keySet());
    checkNotAhead(eventsAt, end, events);
    checkNotAhead(quarantineAt, end, quarantine);
    if (eventsAt.sameAs(end, partitions) && quarantineAt.sameAs(end, partitions)) {
      return new Result(0, 0, 0, end.json());
    }
    KafkaOffsets start = eventsAt.min(quarantineAt, partitions);
    Dataset<Row> records =
        KafkaRangeReader.read(
            spark,
            settings.bootstrapServers(),
            start,
            end,
            RECORDS_PER_TASK,
            settings.kafkaTimeout());
    Dataset<Row> parsed = BronzeRecords.parse(records).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long eventsAppended = 0;
      if (!eventsAt.sameAs(end, partitions)) {
        Dataset<Row> newEvents = BronzeRecords.events(parsed).filter(eventsAt.notReadYet());
        long staged =
            Phase.timed(
                "bronze: events read, parsed and staged",
                () -> stage(lake.table(PipelineNames.BRONZE_EVENTS), events, newEvents, end));
        if (settings.crash() == Crash.BEFORE_PUBLISHING_EVENTS) {
          throw new IllegalStateException("injected crash before publishing snapshot " + staged);
        }
        if (settings.crash() == Crash.CONCURRENT_COMMIT_BEFORE_PUBLISHING) {
          events.newAppend().commit();
        }
        Runnable beforeCommit =
            settings.crash() == Crash.CONCURRENT_COMMIT_WHILE_PUBLISHING
                ? () ->
                    SnapshotMarks.load(spark, lake.table(PipelineNames.BRONZE_EVENTS))
                        .newAppend()
                        .commit()
                : () -> {};
        Phase.timed("bronze: events published", () -> publish(events, staged, beforeCommit));
        eventsAppended = SnapshotMarks.addedRecords(events);
      }
      if (settings.crash() == Crash.BETWEEN_TABLES) {
        throw new IllegalStateException("injected crash between the bronze tables' commits");
      }
      long rejectedAppended = 0;
      if (!quarantineAt.sameAs(end, partitions)) {
        Dataset<Row> newRejects = BronzeRecords.rejected(parsed).filter(quarantineAt.notReadYet());
        long staged =
            Phase.timed(
                "bronze: rejected records staged",
                () ->
                    stage(
                        lake.table(PipelineNames.BRONZE_QUARANTINE), quarantine, newRejects, end));
        Phase.timed(
            "bronze: rejected records published", () -> publish(quarantine, staged, () -> {}));
        rejectedAppended = SnapshotMarks.addedRecords(quarantine);
      }
      return new Result(start.recordsUpTo(end), eventsAppended, rejectedAppended, end.json());
    } finally {
      parsed.unpersist();
    }
  }

  private static KafkaOffsets committedOffsets(Table table, String topic) {
    KafkaOffsets offsets =
        SnapshotMarks.latest(table, SnapshotMarks.KAFKA_OFFSETS)
            .map(KafkaOffsets::parse)
            .orElse(KafkaOffsets.none(topic));
    if (!offsets.topic().equals(topic)) {
      throw new IllegalStateException(
          table.name() + " holds records of topic " + offsets.topic() + ", not " + topic);
    }
    return offsets;
  }

  /** A topic that ends before what a table already holds was recreated or truncated. */
  private static void checkNotAhead(KafkaOffsets committed, KafkaOffsets end, Table table) {
    for (var partition : committed.next().entrySet()) {
      long topicEnd = end.nextIn(partition.getKey());
      if (partition.getValue() > topicEnd) {
        throw new IllegalStateException(
            "%s holds partition %d up to offset %d but the topic ends at %d: was the topic"
                    .formatted(table.name(), partition.getKey(), partition.getValue(), topicEnd)
                + " deleted and recreated? Use a new --namespace (or drop the bronze tables)");
      }
    }
  }

  /** Appends as a staged snapshot carrying the offsets; returns its id. */
  private long stage(String tableName, Table table, Dataset<Row> rows, KafkaOffsets end) {
    String wapId = UUID.randomUUID().toString();
    spark.conf().set("spark.wap.id", wapId);
    try {
      Tables.conformTo(spark, tableName, rows)
          .writeTo(tableName)
          .option("snapshot-property." + SnapshotMarks.KAFKA_OFFSETS, end.json())
          .append();
    } catch (Exception e) {
      throw new IllegalStateException("writing " + table.name() + " failed: " + e.getMessage(), e);
    } finally {
      spark.conf().unset("spark.wap.id");
    }
    table.refresh();
    for (Snapshot snapshot : table.snapshots()) {
      if (wapId.equals(snapshot.summary().get("wap.id"))) {
        return snapshot.snapshotId();
      }
    }
    throw new IllegalStateException("the staged snapshot of " + table.name() + " is missing");
  }

  /**
   * Makes the staged snapshot current, only as a fast-forward, in one commit that Iceberg refuses
   * otherwise: the main branch is fast-forwarded to a branch made at the staged snapshot (checked:
   * the current snapshot must be the staged one's ancestor), and the commit is based on the
   * metadata that check saw, so a writer committing in between makes it fail. A cherry-pick would
   * publish the rows as a new snapshot without their offsets, and the next run would read them
   * again. Either way nothing is published and the run fails; the next starts again from the
   * published offsets.
   *
   * @param beforeCommit run between the check and the commit (a test's concurrent writer)
   */
  private static void publish(Table table, long stagedSnapshotId, Runnable beforeCommit) {
    table.refresh();
    String staging = "publishing-" + stagedSnapshotId;
    ManageSnapshots fastForward;
    try {
      fastForward =
          table
              .manageSnapshots()
              .createBranch(staging, stagedSnapshotId)
              .fastForwardBranch(SnapshotRef.MAIN_BRANCH, staging)
              .removeBranch(staging);
    } catch (IllegalArgumentException notAnAncestor) {
      throw notAFastForward(table, "since this run staged its rows", notAnAncestor);
    }
    beforeCommit.run();
    try {
      fastForward.commit();
    } catch (CommitFailedException concurrent) {
      throw notAFastForward(table, "while it was being published", concurrent);
    }
    table.refresh();
    if (table.currentSnapshot().snapshotId() != stagedSnapshotId) {
      throw new IllegalStateException(
          "publishing " + table.name() + " did not fast-forward: another writer committed?");
    }
  }

  private static IllegalStateException notAFastForward(Table table, String when, Exception cause) {
    return new IllegalStateException(
        "publishing "
            + table.name()
            + " would not be a fast-forward: another writer committed "
            + when
            + "; nothing is published, the next run starts again from the published offsets",
        cause);
  }
}
