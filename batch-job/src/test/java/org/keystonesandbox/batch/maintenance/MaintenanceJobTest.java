package org.keystonesandbox.batch.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.batch.BronzeFixture;
import org.keystonesandbox.batch.SparkLakeTest;
import org.keystonesandbox.batch.gold.GoldJob;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.lake.SparkJobDescriptions;
import org.keystonesandbox.batch.silver.SilverJob;
import org.keystonesandbox.events.catalog.CatalogFiles;
import org.keystonesandbox.events.catalog.Title;
import org.keystonesandbox.events.names.PipelineNames;

class MaintenanceJobTest extends SparkLakeTest {

  private long dataFiles(LakeSettings lake, String table) {
    return spark.sql("SELECT * FROM " + lake.table(table) + ".files").count();
  }

  private List<String> rows(LakeSettings lake, String table) {
    return spark.sql("SELECT * FROM " + lake.table(table)).collectAsList().stream()
        .map(Object::toString)
        .sorted()
        .toList();
  }

  @Test
  void compactionAndExpiryKeepEveryRowAndEveryJobsPlace() throws Exception {
    LakeSettings lake = freshLake();
    Path titles = Files.createTempFile(warehouse, "titles", ".csv");
    CatalogFiles.writeTitles(titles, List.of(new Title("t1", "One", "drama", "film", 1000, 2020)));
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    for (int batch = 0; batch < 4; batch++) {
      bronze.beat("e" + batch, "u1", "t1", 10, "2026-01-05T10:0" + batch + ":00Z").append();
      new SilverJob(spark, lake).run(SilverJob.Settings.DEFAULTS);
      new GoldJob(spark, lake).run(new GoldJob.Settings(titles));
    }
    List<String> silverBefore = rows(lake, PipelineNames.SILVER_SESSIONS);
    List<String> goldBefore = rows(lake, PipelineNames.GOLD_TITLE_COUNTRY_DAILY);
    long bronzeFilesBefore = dataFiles(lake, PipelineNames.BRONZE_EVENTS);

    List<List<MaintenanceJob.TableResult>> run = new ArrayList<>();
    List<String> sparkJobs =
        SparkJobDescriptions.of(
            spark,
            () ->
                run.add(
                    new MaintenanceJob(spark, lake)
                        .run(new MaintenanceJob.Settings(Duration.ZERO, Duration.ofDays(3)))));
    List<MaintenanceJob.TableResult> results = run.get(0);

    // Iceberg's procedures name their own jobs after the action and the table; the others are
    // named after the maintenance step. None is left unnamed.
    assertThat(sparkJobs)
        .as("the Spark jobs maintenance started, as Spark's UI names them")
        .isNotEmpty()
        .allSatisfy(
            job ->
                assertThat(job)
                    .matches(
                        "maintenance: \\w+ (compacted|snapshots expired|orphan files removed)"
                            + "|(Rewriting|Expiring snapshots|Deleting orphan files) .* (in|from)"
                            + " lake\\.\\w+\\.\\w+"))
        .contains("maintenance: " + PipelineNames.BRONZE_EVENTS + " orphan files removed");

    assertThat(bronzeFilesBefore).isEqualTo(4);
    assertThat(dataFiles(lake, PipelineNames.BRONZE_EVENTS)).isEqualTo(1);
    assertThat(results.get(0).filesRewritten()).isEqualTo(4);
    assertThat(spark.table(lake.table(PipelineNames.BRONZE_EVENTS)).count()).isEqualTo(4);
    assertThat(rows(lake, PipelineNames.SILVER_SESSIONS)).isEqualTo(silverBefore);
    assertThat(rows(lake, PipelineNames.GOLD_TITLE_COUNTRY_DAILY)).isEqualTo(goldBefore);
    assertThat(
            SnapshotMarks.latest(
                SnapshotMarks.load(spark, lake.table(PipelineNames.SILVER_SESSIONS)),
                SnapshotMarks.BRONZE_SNAPSHOT))
        .isPresent();

    bronze.beat("e9", "u1", "t1", 10, "2026-01-05T10:09:00Z").append();
    SilverJob.Result silver = new SilverJob(spark, lake).run(SilverJob.Settings.DEFAULTS);
    new GoldJob(spark, lake).run(new GoldJob.Settings(titles));

    assertThat(silver.bronzeRowsRead()).as("only the new batch is read").isEqualTo(1);
    assertThat(rows(lake, PipelineNames.SILVER_SESSIONS))
        .singleElement()
        .asString()
        .contains("2026-01-05 10:00:00.0,2026-01-05 10:09:00.0,5,50");
  }

  @Test
  void expiryKeepsTheSnapshotsTheMarksNeedEvenWithRetentionZero() throws IOException {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze.beat("a", "u1", "t1", 10, "2026-01-05T10:00:00Z").append();
    new SilverJob(spark, lake).run(SilverJob.Settings.DEFAULTS);
    bronze.beat("b", "u1", "t1", 10, "2026-01-05T10:01:00Z").append();
    bronze.beat("c", "u1", "t1", 10, "2026-01-05T10:02:00Z").append();

    new MaintenanceJob(spark, lake)
        .run(new MaintenanceJob.Settings(Duration.ZERO, Duration.ofDays(3)));
    SilverJob.Result silver = new SilverJob(spark, lake).run(SilverJob.Settings.DEFAULTS);

    assertThat(silver.bronzeRowsRead()).isEqualTo(2);
    assertThat(spark.table(lake.table(PipelineNames.SILVER_EVENTS)).count()).isEqualTo(3);
  }
}
