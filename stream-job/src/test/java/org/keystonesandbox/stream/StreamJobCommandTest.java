package org.keystonesandbox.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.WebOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.CommandHarness;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.events.names.PipelineNames;

class StreamJobCommandTest {
  private final CommandHarness cli =
      new CommandHarness((out, err) -> new StreamJobCommand(out, err).commandLine(new String[0]));

  @Test
  void anUnknownFlagIsOneLineAndExitCodeTwo() {
    assertThat(cli.run("--sesion-gap", "5m")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).startsWith("keystone-stream-job: Unknown option").hasLineCount(1);
  }

  @Test
  void aBadDurationNamesTheValueAndTheSyntax() {
    assertThat(cli.run("--session-gap", "half an hour")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).contains("'half an hour' is not a duration").hasLineCount(1);
  }

  @Test
  void aDedupHorizonShorterThanTheAllowedLatenessIsRefused() {
    assertThat(cli.run("--allowed-lateness", "2h", "--dedup-horizon", "1h"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).contains("dedup horizon").contains("allowed lateness");
  }

  @Test
  void aBoundedRunRefusesToResumeFromACheckpointBecauseItWouldNeverEnd(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
    java.nio.file.Path chk = java.nio.file.Files.createDirectories(dir.resolve("job-1/chk-7"));
    java.nio.file.Files.writeString(chk.resolve("_metadata"), "");
    assertThat(
            cli.run(
                "--bounded",
                "--checkpoint-dir",
                dir.toString(),
                "--bootstrap-server",
                "127.0.0.1:1"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors())
        .contains("--bounded cannot resume from")
        .contains("chk-7")
        .contains("--fresh")
        .hasLineCount(1);
  }

  @Test
  void aShortDedupHorizonIsAcceptedOnlyWhenAskedFor() {
    assertThat(
            StreamJobCommand.parseSettings(
                    "--allowed-lateness",
                    "2h",
                    "--dedup-horizon",
                    "10m",
                    "--accept-short-dedup-horizon")
                .sessions()
                .dedupHorizon())
        .isEqualTo(java.time.Duration.ofMinutes(10));
  }

  @Test
  void anUnreachableBrokerIsExitCodeThreeAndSaysWhatToDo() {
    long started = System.nanoTime();
    assertThat(cli.run("--bootstrap-server", "127.0.0.1:1")).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(cli.errors()).contains("cannot reach Kafka at 127.0.0.1:1").hasLineCount(1);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void aConfigFileSetsDefaultsAndFlagsStillWin(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("stream-job.properties");
    Files.writeString(config, "session-gap=45m\nallowed-lateness=1h\nstate-backend=rocksdb\n");

    StreamJobSettings settings =
        StreamJobCommand.parseSettings("--config", config.toString(), "--allowed-lateness", "2h");

    assertThat(settings.sessions().gap()).isEqualTo(Duration.ofMinutes(45));
    assertThat(settings.sessions().allowedLateness()).isEqualTo(Duration.ofHours(2));
    assertThat(settings.runtime().stateBackend()).isEqualTo(RuntimeSettings.StateBackend.ROCKSDB);
  }

  @Test
  void theLakeSinkIsOffByDefaultAndItsFlagsAloneAreRefused() {
    assertThat(StreamJobCommand.parseSettings().lake()).isEmpty();
    assertThat(cli.run("--catalog", "rest", "--catalog-uri", "http://127.0.0.1:8181"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).contains("need --lake-sessions").hasLineCount(1);
  }

  @Test
  void theLakeSinkDefaultsToTheBatchJobsFileCatalogAndARestCatalogNeedsItsUri(@TempDir Path dir) {
    LakeSinkSettings files =
        StreamJobCommand.parseSettings("--lake-sessions", "--warehouse", dir.toString())
            .lake()
            .orElseThrow();
    assertThat(files.catalog()).isEqualTo(LakeSinkSettings.CatalogType.HADOOP);
    assertThat(files.catalogProperties()).containsEntry("warehouse", dir.toUri().toString());
    assertThat(files.namespace()).isEqualTo(PipelineNames.LAKE_NAMESPACE);

    assertThat(cli.run("--lake-sessions", "--catalog", "rest")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).contains("--catalog-uri").hasLineCount(1);
  }

  @Test
  void theWebUiCannotSubmitOrCancelJobsUnlessTheFlinkConfigurationSaysSo() {
    Configuration closed =
        StreamJobPipeline.localClusterConfiguration(StreamJobCommand.parseSettings().runtime());
    assertThat(closed.get(WebOptions.SUBMIT_ENABLE)).isFalse();
    assertThat(closed.get(WebOptions.CANCEL_ENABLE)).isFalse();

    Configuration opened =
        StreamJobPipeline.localClusterConfiguration(
            StreamJobCommand.parseSettings("--flink-conf", "web.submit.enable=true").runtime());
    assertThat(opened.get(WebOptions.SUBMIT_ENABLE)).isTrue();
  }

  @Test
  void theLocalWebUiListensOnThisMachineOnlyUnlessTheFlinkConfigurationSaysOtherwise() {
    Configuration local =
        StreamJobPipeline.localClusterConfiguration(StreamJobCommand.parseSettings().runtime());
    assertThat(local.get(RestOptions.BIND_ADDRESS)).isEqualTo("127.0.0.1");

    Configuration wider =
        StreamJobPipeline.localClusterConfiguration(
            StreamJobCommand.parseSettings("--flink-conf", "rest.bind-address=0.0.0.0").runtime());
    assertThat(wider.get(RestOptions.BIND_ADDRESS)).isEqualTo("0.0.0.0");
    assertThat(
            StreamJobPipeline.flinkConfiguration(StreamJobCommand.parseSettings().runtime())
                .contains(RestOptions.BIND_ADDRESS))
        .as("a job submitted to a cluster leaves the cluster's address alone")
        .isFalse();
  }

  @Test
  void aJobSubmittedToAClusterLeavesTheClientsTargetAndTheClustersWebUiAlone() {
    RuntimeSettings runtime =
        StreamJobCommand.parseSettings("--web-ui-port", "18081", "--parallelism", "2").runtime();

    Configuration submitted = StreamJobPipeline.flinkConfiguration(runtime);

    assertThat(submitted.contains(RestOptions.PORT)).isFalse();
    assertThat(submitted.contains(WebOptions.SUBMIT_ENABLE)).isFalse();
    assertThat(submitted.get(CoreOptions.DEFAULT_PARALLELISM)).isEqualTo(2);
    assertThat(StreamJobPipeline.localClusterConfiguration(runtime).get(RestOptions.PORT))
        .isEqualTo(18081);
  }

  @Test
  void everyCommandAndSubcommandAnswersHelpWithItsUsageAndTheExitCodes() {
    cli.assertEveryCommandAnswersHelp();
  }

  @Test
  void aCheckpointFolderOfAnyFlinkFileSystemIsResumedFromAndKeptOnCancel(@TempDir Path dir)
      throws Exception {
    CheckpointFinderTest.run(dir, "job-a", 1);
    Path newest = CheckpointFinderTest.run(dir, "job-b", 2);
    Configuration conf =
        StreamJobPipeline.localClusterConfiguration(
            StreamJobCommand.parseSettings(
                    "--checkpoint-dir", ElsewhereFileSystem.SCHEME + "://" + dir)
                .runtime());

    StreamJob.useCheckpoints(conf, false, new PrintStream(new ByteArrayOutputStream()));

    assertThat(conf.get(StateRecoveryOptions.SAVEPOINT_PATH))
        .isEqualTo(ElsewhereFileSystem.SCHEME + ":" + newest.resolve("chk-1"));
    assertThat(conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
        .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
  }

  @Test
  void aCheckpointFolderWhoseSchemeHasNoFlinkFileSystemIsRefusedAtStartOnOneLine() {
    assertThat(cli.run("--checkpoint-dir", "nowhere://bucket/checkpoints"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors())
        .contains("--checkpoint-dir nowhere://bucket/checkpoints")
        .contains("no Flink file system")
        .hasLineCount(1);
  }
}
