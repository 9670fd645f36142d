package org.keystonesandbox.sandbox.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.sandbox.run.DataFolder.GeneratorRun;

class PartCommandsTest {
  private static final Path DATA = Path.of("/tmp/sandbox-data");

  private static SandboxRun.Settings settings(Long count, Duration duration) {
    return settings(
        count,
        duration,
        List.of("--allowed-lateness", "10m"),
        List.of("--join-strategy", "salted"));
  }

  private static SandboxRun.Settings settings(
      Long count, Duration duration, List<String> streamArgs, List<String> batchArgs) {
    return new SandboxRun.Settings(
        Path.of("/opt/keystone"),
        DATA,
        false,
        count,
        duration,
        1500,
        List.of("--late-rate", "0.05"),
        streamArgs,
        batchArgs,
        19092,
        18081,
        14040,
        18080,
        "127.0.0.1",
        Duration.ofSeconds(20),
        Duration.ofSeconds(5),
        Duration.ofMinutes(10),
        Duration.ofMinutes(10),
        false);
  }

  private static PartCommands commands(Long count, Duration duration) {
    return new PartCommands(settings(count, duration), new DataFolder(DATA));
  }

  private static GeneratorRun firstRun() {
    Path dir = DATA.resolve("generator/run-001");
    return new GeneratorRun(1, dir, dir.resolve("titles.csv"), Optional.empty());
  }

  @Test
  void theBrokerListensOnTheKafkaPortAndKeepsItsDataInTheFolder() {
    PartCommand kafka = commands(null, null).kafka();

    assertThat(kafka.name()).isEqualTo(PartCommands.KAFKA);
    assertThat(kafka.jar()).isEqualTo(Jars.KAFKA);
    assertThat(kafka.jvmOptions()).containsExactly("-Xmx512m");
    assertThat(kafka.args()).containsExactly("19092", DATA.resolve("kafka").toString());
  }

  @Test
  void theFirstGeneratorRunUsesTheFirstSeedAndWaitsForARestartingBroker() {
    PartCommand generator = commands(100_000L, null).generator(firstRun());

    assertThat(generator.name()).isEqualTo(PartCommands.GENERATOR);
    assertThat(generator.jar()).isEqualTo(Jars.GENERATOR);
    assertThat(generator.jvmOptions()).containsExactly("-Xmx256m");
    assertThat(generator.args())
        .containsExactly(
            "--bootstrap-server", "127.0.0.1:19092",
            "--out-dir", DATA.resolve("generator/run-001").toString(),
            "--rate", "1500",
            "--seed", "42",
            "--catalog-seed", "42",
            "--progress-interval", "10s",
            "--producer-property", "max.block.ms=120000",
            "--count", "100000",
            "--late-rate", "0.05");
  }

  @Test
  void aContinuingGeneratorRunHasTheNextSeedTheSameCatalogAndItsStart() {
    Path dir = DATA.resolve("generator/run-003");
    Instant start = Instant.parse("2025-03-16T00:00:00Z");
    GeneratorRun third =
        new GeneratorRun(3, dir, DATA.resolve("generator/run-001/titles.csv"), Optional.of(start));

    List<String> args = commands(null, Duration.ofMillis(120_500)).generator(third).args();

    assertThat(args).containsSequence("--seed", "44", "--catalog-seed", "42");
    assertThat(args).containsSequence("--out-dir", dir.toString());
    assertThat(args)
        .as("a duration keeps its milliseconds")
        .containsSequence("--duration", "120500ms", "--start", start.toString());
    assertThat(args).doesNotContain("--count");
    assertThat(args).endsWith("--late-rate", "0.05");
  }

  @Test
  void
      theStreamJobCheckpointsAndKeepsFlinksTemporaryFilesInTheFolderAndServesItsUiOnTheFlinkPort() {
    PartCommand streamJob = commands(null, null).streamJob();

    assertThat(streamJob.name()).isEqualTo(PartCommands.STREAM_JOB);
    assertThat(streamJob.jar()).isEqualTo(Jars.STREAM_JOB);
    assertThat(streamJob.jvmOptions()).containsExactly("-Xmx1g");
    assertThat(streamJob.args())
        .containsExactly(
            "--bootstrap-server", "127.0.0.1:19092",
            "--checkpoint-dir", DATA.resolve("stream-job/checkpoints").toString(),
            "--flink-conf", "io.tmp.dirs=" + DATA.resolve("stream-job/tmp").toAbsolutePath(),
            "--web-ui-port", "18081",
            "--progress-interval", "30s",
            "--allowed-lateness", "10m");
  }

  @Test
  void theVerifierIsToldTheStreamJobsLatenessGapAndOutOfOrdernessWhenTheRunSetsThem() {
    assertThat(commands(null, null).verifier().args())
        .containsSequence("--allowed-lateness", "10m")
        .doesNotContain("--session-gap", "--out-of-orderness");
    assertThat(
            PartCommands.flagValue(
                List.of("--session-gap=45m", "--allowed-lateness", "1h"), "--session-gap"))
        .contains("45m");
  }

  @Test
  void theChainRunsOnTheFolderLakeWithTheFirstRunsTitles() {
    Path titles = DATA.resolve("generator/run-001/titles.csv");

    PartCommand chain = commands(null, null).chain(titles);

    assertThat(chain.name()).isEqualTo(PartCommands.CHAIN);
    assertThat(chain.jar()).isEqualTo(Jars.BATCH_JOB);
    assertThat(chain.jvmOptions()).containsExactly("-Xmx2g");
    assertThat(chain.args())
        .containsExactly(
            "chain",
            "--bootstrap-server",
            "127.0.0.1:19092",
            "--warehouse",
            DATA.resolve("lake").toString(),
            "--titles",
            titles.toString(),
            "--run-log",
            DATA.resolve("batch-runs.jsonl").toString(),
            "--interval",
            "20000ms",
            "--ui-port",
            "14040",
            "--shuffle-partitions",
            "4",
            "--join-strategy",
            "salted");
  }

  @Test
  void theChainSessionizesWithTheStreamJobsSessionGapUnlessItsOwnFlagsSetOne() {
    Path titles = DATA.resolve("titles.csv");
    PartCommands gapOf45m =
        new PartCommands(
            settings(null, null, List.of("--session-gap=45m"), List.of()), new DataFolder(DATA));
    assertThat(gapOf45m.chain(titles).args()).containsSequence("--session-gap", "45m");
    assertThat(gapOf45m.verifier().args()).containsSequence("--session-gap", "45m");

    PartCommands ownGap =
        new PartCommands(
            settings(null, null, List.of("--session-gap", "45m"), List.of("--session-gap", "1h")),
            new DataFolder(DATA));
    assertThat(ownGap.chain(titles).args())
        .containsSequence("--session-gap", "1h")
        .containsOnlyOnce("--session-gap");

    assertThat(commands(null, null).chain(titles).args())
        .as("no gap given: the chain's default, the stream job's too")
        .doesNotContain("--session-gap");
  }

  @Test
  void theSparkPartsServeTheirUiOnThisMachineOnlyAndTheOthersGetNoExtraEnvironment() {
    PartCommands commands = commands(null, null);

    assertThat(commands.chain(DATA.resolve("titles.csv")).environment())
        .containsExactly(Map.entry("SPARK_LOCAL_IP", "127.0.0.1"));
    assertThat(commands.verifier().environment())
        .containsExactly(Map.entry("SPARK_LOCAL_IP", "127.0.0.1"));
    assertThat(commands.kafka().environment()).isEmpty();
    assertThat(commands.streamJob().environment()).isEmpty();
    assertThat(commands.generator(firstRun()).environment()).isEmpty();
  }

  @Test
  void theVerifierWaitsForTheStagesAndWritesItsReportIntoTheFolder() {
    PartCommand verifier = commands(null, null).verifier();

    assertThat(verifier.name()).isEqualTo(PartCommands.VERIFIER);
    assertThat(verifier.jar()).isEqualTo(Jars.VERIFY);
    assertThat(verifier.jvmOptions()).containsExactly("-Xmx2g");
    assertThat(verifier.args())
        .containsExactly(
            "--generator-dir",
            DATA.resolve("generator").toString(),
            "--bootstrap-server",
            "127.0.0.1:19092",
            "--warehouse",
            DATA.resolve("lake").toString(),
            "--report",
            DATA.resolve("verify/report.json").toString(),
            "--ui-port",
            "0",
            "--wait",
            "2m",
            "--allowed-lateness",
            "10m");
  }
}
