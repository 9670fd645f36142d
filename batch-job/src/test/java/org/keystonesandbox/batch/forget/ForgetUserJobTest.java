package org.keystonesandbox.batch.forget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.batch.BronzeFixture;
import org.keystonesandbox.batch.SparkLakeTest;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.silver.SilverJob;
import org.keystonesandbox.events.names.PipelineNames;

class ForgetUserJobTest extends SparkLakeTest {

  private void silver(LakeSettings lake) {
    new SilverJob(spark, lake).run(SilverJob.Settings.DEFAULTS);
  }

  private long rows(LakeSettings lake, String table, String user) {
    return spark
        .sql("SELECT count(*) FROM " + lake.table(table) + " WHERE user_id = '" + user + "'")
        .first()
        .getLong(0);
  }

  /**
   * Rows of {@code user} in every data file under the table's folder, whatever the metadata says.
   */
  private long rowsOnDisk(LakeSettings lake, String table, String user) throws Exception {
    Path data =
        Path.of(URI.create(SnapshotMarks.load(spark, lake.table(table)).location()))
            .resolve("data");
    List<String> files;
    try (Stream<Path> walk = Files.walk(data)) {
      files = walk.map(Path::toString).filter(f -> f.endsWith(".parquet")).toList();
    }
    long rows = 0;
    for (String file : files) {
      var frame = spark.read().parquet(file);
      if (!List.of(frame.columns()).contains("file_path")) {
        rows += frame.where("user_id = '" + user + "'").count();
      }
    }
    return rows;
  }

  @Test
  void theUserIsGoneFromEveryFileAndTheOthersAndTheJobsPlacesStay() throws Exception {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze
        .beat("a1", "gone", "t1", 1000, "2026-01-05T10:00:00Z")
        .beat("b1", "stays", "t1", 2000, "2026-01-05T10:00:00Z")
        .append();
    bronze.beat("a2", "gone", "t1", 1000, "2026-01-05T10:01:00Z").append();
    silver(lake);
    String offsets =
        SnapshotMarks.latest(
                SnapshotMarks.load(spark, lake.table(PipelineNames.BRONZE_EVENTS)),
                SnapshotMarks.KAFKA_OFFSETS)
            .orElseThrow();

    new ForgetUserJob(spark, lake).run("gone");

    for (String table :
        List.of(
            PipelineNames.BRONZE_EVENTS,
            PipelineNames.SILVER_EVENTS,
            PipelineNames.SILVER_SESSIONS)) {
      assertThat(rows(lake, table, "gone")).as(table).isZero();
      assertThat(rowsOnDisk(lake, table, "gone")).as(table + " on disk").isZero();
      assertThat(rows(lake, table, "stays")).as(table).isPositive();
    }
    assertThat(
            SnapshotMarks.latest(
                SnapshotMarks.load(spark, lake.table(PipelineNames.BRONZE_EVENTS)),
                SnapshotMarks.KAFKA_OFFSETS))
        .as("bronze still knows where to read next")
        .contains(offsets);
    SilverJob.Result rerun = new SilverJob(spark, lake).run(SilverJob.Settings.DEFAULTS);
    assertThat(rerun.eventDays()).as("silver finds nothing new to read").isEmpty();
  }

  @Test
  void itReportsTheDeleteFilesItWroteAndWhatEachMaintenanceStepRemoved() throws Exception {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze
        .beat("a1", "gone", "t1", 1000, "2026-01-05T10:00:00Z")
        .beat("b1", "stays", "t1", 2000, "2026-01-05T10:00:00Z")
        .append();
    silver(lake);
    // A file an aborted write left behind, holding the user's rows: no snapshot references it
    Path data =
        Path.of(
                URI.create(
                    SnapshotMarks.load(spark, lake.table(PipelineNames.SILVER_EVENTS)).location()))
            .resolve("data");
    Path live;
    try (Stream<Path> walk = Files.walk(data)) {
      live = walk.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    Path orphan = live.resolveSibling("aborted-write.parquet");
    Files.copy(live, orphan);

    List<ForgetUserJob.TableResult> results = new ForgetUserJob(spark, lake).run("gone");

    ForgetUserJob.TableResult events =
        results.stream()
            .filter(r -> r.table().equals(PipelineNames.BRONZE_EVENTS))
            .findFirst()
            .orElseThrow();
    assertThat(events.rowsDeleted()).isEqualTo(1);
    assertThat(events.deleteFilesWritten()).as("merge-on-read: a delete file").isEqualTo(1);
    assertThat(events.filesRewritten()).as("compaction folds it in").isEqualTo(1);
    assertThat(events.maintenance().snapshotsExpired()).isPositive();
    assertThat(events.maintenance().dataFilesDeleted()).as("the file before compaction").isOne();
    assertThat(events.maintenance().deleteFilesDeleted()).isOne();
    assertThat(events.maintenance().metadataFilesDeleted()).isPositive();
    ForgetUserJob.TableResult silver =
        results.stream()
            .filter(r -> r.table().equals(PipelineNames.SILVER_EVENTS))
            .findFirst()
            .orElseThrow();
    assertThat(silver.maintenance().orphansDeleted()).isEqualTo(1);
    assertThat(orphan).doesNotExist();
  }

  @Test
  void aCompactionOfBronzeAfterSilverReadItLeavesNothingUnreadAndIsNoObstacle() {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze.beat("a1", "gone", "t1", 1000, "2026-01-05T10:00:00Z").append();
    bronze.beat("b1", "stays", "t1", 1000, "2026-01-05T10:00:00Z").append();
    silver(lake);
    spark.sql(
        "CALL lake.system.rewrite_data_files(table => '"
            + lake.table(PipelineNames.BRONZE_EVENTS)
            + "', options => map('rewrite-all', 'true'))");

    new ForgetUserJob(spark, lake).run("gone");

    assertThat(rows(lake, PipelineNames.BRONZE_EVENTS, "gone")).isZero();
    assertThat(rows(lake, PipelineNames.BRONZE_EVENTS, "stays")).isEqualTo(1);
  }

  @Test
  void aChainThatHasNotCaughtUpIsRefused() {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze.beat("a1", "gone", "t1", 1000, "2026-01-05T10:00:00Z").append();
    silver(lake);
    bronze.beat("a2", "gone", "t1", 1000, "2026-01-05T10:01:00Z").append();

    assertThatThrownBy(() -> new ForgetUserJob(spark, lake).run("gone"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("silver has not read all of bronze yet");
    assertThat(rows(lake, PipelineNames.BRONZE_EVENTS, "gone")).isEqualTo(2);
  }
}
