package org.keystonesandbox.batch.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.batch.SparkLakeTest;
import org.keystonesandbox.batch.bronze.BronzeJob;
import org.keystonesandbox.batch.gold.GoldJob;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.maintenance.MaintenanceJob;
import org.keystonesandbox.batch.silver.SilverJob;
import org.keystonesandbox.events.catalog.CatalogFiles;
import org.keystonesandbox.events.catalog.Title;
import org.keystonesandbox.events.names.PipelineNames;

class ChainRunnerTest extends SparkLakeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ChainRunner.Outcome chain(LakeSettings lake, String bootstrap, Path dir, long runs)
      throws Exception {
    Path titles = dir.resolve("titles.csv");
    CatalogFiles.writeTitles(titles, List.of(new Title("t1", "One", "drama", "film", 1000, 2020)));
    return new ChainRunner(
            spark,
            lake,
            new BronzeJob.Settings(
                bootstrap, PipelineNames.EVENTS_TOPIC, Duration.ofSeconds(2), BronzeJob.Crash.NONE),
            SilverJob.Settings.DEFAULTS,
            new GoldJob.Settings(titles),
            MaintenanceJob.Settings.DEFAULTS,
            new ChainRunner.Settings(
                Duration.ZERO, runs, 2, Duration.ofMillis(10), 0, dir.resolve("runs.jsonl")),
            new PrintWriter(new StringWriter()))
        .run();
  }

  private static List<JsonNode> log(Path dir) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("runs.jsonl"))) {
      lines.add(JSON.readTree(line));
    }
    return lines;
  }

  @Test
  void aStageThatKeepsFailingIsRetriedLoggedAndAbandonsItsRun(@TempDir Path dir) throws Exception {
    ChainRunner.Outcome outcome = chain(freshLake(), "127.0.0.1:1", dir, 1);

    assertThat(outcome.failedRuns()).isOne();
    List<JsonNode> log = log(dir);
    assertThat(log).hasSize(2);
    assertThat(log)
        .allSatisfy(
            entry -> {
              assertThat(entry.get("stage").asText()).isEqualTo("bronze");
              assertThat(entry.get("status").asText()).isEqualTo("failed");
              assertThat(entry.get("error").asText()).contains("127.0.0.1:1");
            });
    assertThat(log).extracting(e -> e.get("attempt").asInt()).containsExactly(1, 2);
  }

  @Test
  void aRestartedChainContinuesTheRunNumbers(@TempDir Path dir) throws Exception {
    LakeSettings lake = freshLake();
    chain(lake, "127.0.0.1:1", dir, 1);
    chain(lake, "127.0.0.1:1", dir, 1);

    assertThat(log(dir)).extracting(e -> e.get("run").asLong()).containsExactly(1L, 1L, 2L, 2L);
  }
}
