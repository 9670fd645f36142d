package org.keystonesandbox.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.batch.gold.GoldJob;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.silver.SilverJob;
import org.keystonesandbox.events.catalog.CatalogFiles;
import org.keystonesandbox.events.catalog.Title;
import org.keystonesandbox.events.names.PipelineNames;

/**
 * Silver and gold in a session whose {@code spark.wap.branch} names a branch of their tables (a
 * backfill's write-audit-publish branch): they read their progress marks from the branch as they
 * read its rows, commit there, and leave main alone.
 */
class JobsOnABranchTest extends SparkLakeTest {
  private static final String BRANCH = "backfill";
  private static final List<String> DOWNSTREAM =
      List.of(
          PipelineNames.SILVER_EVENTS,
          PipelineNames.SILVER_BEYOND_HORIZON,
          PipelineNames.SILVER_SESSIONS,
          PipelineNames.GOLD_TITLE_COUNTRY_DAILY,
          PipelineNames.GOLD_COMPLETIONS,
          PipelineNames.GOLD_USER_DAILY);

  private Path titles;

  @BeforeAll
  void writeTitles() throws IOException {
    titles = Files.createTempFile(warehouse, "titles", ".csv");
    CatalogFiles.writeTitles(
        titles, List.of(new Title("t1", "First", "drama", "film", 100_000, 2020)));
  }

  @Test
  void onABranchTheJobsFollowTheBranchsMarksAndMainContinuesFromThemAfterAFastForward()
      throws Exception {
    LakeSettings lake = freshLake();
    BronzeFixture bronze = new BronzeFixture(spark, lake);
    bronze.beat("a1", "u1", "t1", 60_000, "2026-01-05T10:00:00Z").append();
    silverAndGold(spark, lake);
    for (String table : DOWNSTREAM) {
      spark.sql(
          "ALTER TABLE " + lake.table(table) + " SET TBLPROPERTIES ('write.wap.enabled'='true')");
      spark.sql("ALTER TABLE " + lake.table(table) + " CREATE BRANCH " + BRANCH);
    }
    Map<String, Long> mainBefore = heads(lake, "main");
    bronze.beat("a2", "u2", "t1", 30_000, "2026-01-06T10:00:00Z").append();
    SparkSession onBranch = spark.newSession();
    onBranch.conf().set("spark.wap.branch", BRANCH);

    silverAndGold(onBranch, lake);

    assertThat(heads(lake, "main")).isEqualTo(mainBefore);
    assertThat(userDays(spark, lake)).containsExactly("2026-01-05 u1");
    assertThat(userDays(onBranch, lake)).containsExactly("2026-01-05 u1", "2026-01-06 u2");
    Map<String, Long> branchHeads = heads(lake, BRANCH);
    silverAndGold(onBranch, lake);
    assertThat(heads(lake, BRANCH))
        .as("a rerun on the branch finds its marks there: nothing new, nothing committed")
        .isEqualTo(branchHeads);

    for (String table : DOWNSTREAM) {
      spark.sql(
          "CALL lake.system.fast_forward(table => '%s', branch => 'main', to => '%s')"
              .formatted(lake.table(table), BRANCH));
    }
    silverAndGold(spark, lake);
    assertThat(heads(lake, "main"))
        .as("after the fast-forward main's marks are the branch's: nothing to redo")
        .isEqualTo(branchHeads);
    assertThat(userDays(spark, lake)).containsExactly("2026-01-05 u1", "2026-01-06 u2");
  }

  private void silverAndGold(SparkSession session, LakeSettings lake) throws Exception {
    new SilverJob(session, lake).run(SilverJob.Settings.DEFAULTS);
    new GoldJob(session, lake).run(new GoldJob.Settings(titles));
  }

  private Map<String, Long> heads(LakeSettings lake, String branch) {
    Map<String, Long> heads = new LinkedHashMap<>();
    for (String table : DOWNSTREAM) {
      heads.put(
          table,
          SnapshotMarks.currentSnapshotId(SnapshotMarks.load(spark, lake.table(table)), branch));
    }
    return heads;
  }

  private static List<String> userDays(SparkSession session, LakeSettings lake) {
    return session
        .sql(
            "SELECT day, user_id FROM "
                + lake.table(PipelineNames.GOLD_USER_DAILY)
                + " ORDER BY day, user_id")
        .collectAsList()
        .stream()
        .map((Row r) -> r.get(0) + " " + r.getString(1))
        .toList();
  }
}
