package org.keystonesandbox.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.DefaultExecutorServiceLoader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaExtension;

/**
 * Where a job that has no checkpoint to resume from starts: never silently at offsets its group
 * committed earlier, with state it no longer has. And how a job on its own MiniCluster ends: with
 * Flink's temporary files removed, also when the process is stopped.
 */
class StreamJobRestartIT {
  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** A topic of three records whose group has committed the offset of the second. */
  private void topicWithCommittedOffsets(String topic, String group) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
              new StringSerializer(),
              new StringSerializer())) {
        for (int i = 0; i < 3; i++) {
          producer.send(new ProducerRecord<>(topic, "u1", "not an event " + i)).get();
        }
      }
    }
    commitOffset(topic, group, 1);
  }

  private static void commitOffset(String topic, String group, long offset) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
      admin
          .alterConsumerGroupOffsets(
              group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(offset)))
          .all()
          .get();
    }
  }

  /** The flags of a job on {@code topic} (and its three output topics) for {@code group}. */
  private static List<String> jobFlags(String topic, String group, Path checkpoints) {
    return List.of(
        "--bootstrap-server",
        KAFKA.bootstrapServers(),
        "--events-topic",
        topic,
        "--sessions-topic",
        topic + "-sessions",
        "--late-topic",
        topic + "-late",
        "--dlq-topic",
        topic + "-dlq",
        "--group-id",
        group,
        "--transactional-id-prefix",
        group,
        "--checkpoint-dir",
        checkpoints.toString(),
        "--web-ui-port",
        "0");
  }

  /** Runs the command in this JVM, bounded. */
  private int run(String topic, String group, Path checkpoints, String... more) {
    List<String> args = new java.util.ArrayList<>(jobFlags(topic, group, checkpoints));
    args.add("--bounded");
    args.addAll(List.of(more));
    String[] argv = args.toArray(new String[0]);
    return new StreamJobCommand(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))
        .commandLine(argv)
        .execute(argv);
  }

  @Test
  void aStartWithoutACheckpointIsRefusedWhenTheGroupHasCommittedOffsets(@TempDir Path dir)
      throws Exception {
    topicWithCommittedOffsets("refused", "refused-group");

    assertThat(run("refused", "refused-group", dir.resolve("checkpoints")))
        .as(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("group refused-group has committed offsets on refused")
        .contains("--from-earliest")
        .contains("--from-committed");
  }

  @Test
  void underFlinkRunAStartWithoutASavepointIsRefusedWhenTheGroupHasCommittedOffsets(
      @TempDir Path dir) throws Exception {
    topicWithCommittedOffsets("refused-on-cluster", "cluster-group");
    // What flink run does before calling the job's main: a context environment for its cluster.
    StreamContextEnvironment.setAsContext(
        new DefaultExecutorServiceLoader(),
        new Configuration(),
        getClass().getClassLoader(),
        false,
        false);
    try {
      assertThat(run("refused-on-cluster", "cluster-group", dir.resolve("checkpoints"), "--fresh"))
          .as(err.toString(StandardCharsets.UTF_8))
          .isEqualTo(ExitCodes.USAGE);
    } finally {
      StreamContextEnvironment.unsetAsContext();
    }
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("submitting to the Flink cluster of `flink run`")
        .contains("group cluster-group has committed offsets on refused-on-cluster");
  }

  @Test
  void fromEarliestReadsEveryRecordDespiteCommittedOffsetsAndFromCommittedStartsAtThem(
      @TempDir Path dir) throws Exception {
    topicWithCommittedOffsets("restart", "earliest-group");
    commitOffset("restart", "committed-group", 1);

    assertThat(run("restart", "earliest-group", dir.resolve("a"), "--from-earliest"))
        .isEqualTo(ExitCodes.OK);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("malformed 3");
    out.reset();
    assertThat(run("restart", "committed-group", dir.resolve("b"), "--from-committed"))
        .isEqualTo(ExitCodes.OK);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("malformed 2");
  }

  @Test
  void aRunOnItsOwnMiniClusterHasRemovedFlinksTemporaryFilesWhenItReturns(@TempDir Path dir)
      throws Exception {
    topicWithCommittedOffsets("tidy", "another-group");
    Path flinkTmp = dir.resolve("flink-tmp");

    assertThat(
            run(
                "tidy",
                "tidy-group",
                dir.resolve("checkpoints"),
                "--flink-conf",
                "io.tmp.dirs=" + flinkTmp))
        .as(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(ExitCodes.OK);
    assertThat(flinkTmp).as("Flink has used the folder").isDirectory();
    try (Stream<Path> left = Files.list(flinkTmp)) {
      assertThat(left.map(path -> path.getFileName().toString()))
          .as("the RPC jar and the MiniCluster's folders, left in io.tmp.dirs")
          .isEmpty();
    }
  }

  @Test
  void aJobStoppedWithSigtermIsCancelledSaysSoAndLeavesNoTemporaryFiles(@TempDir Path dir)
      throws Exception {
    topicWithCommittedOffsets("stopped", "another-group");
    Path flinkTmp = dir.resolve("flink-tmp");
    Path stderr = dir.resolve("stderr.txt");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                Path.of("target", "keystone-stream-job.jar").toString()));
    command.addAll(jobFlags("stopped", "stopped-group", dir.resolve("checkpoints")));
    command.addAll(
        List.of("--progress-interval", "200ms", "--flink-conf", "io.tmp.dirs=" + flinkTmp));
    Process job =
        new ProcessBuilder(command)
            .redirectOutput(dir.resolve("stdout.txt").toFile())
            .redirectError(stderr.toFile())
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (!Files.readString(stderr).contains("malformed 3")) {
        assertThat(job.isAlive()).as(Files.readString(stderr)).isTrue();
        assertThat(System.nanoTime()).as("the job running within 90 s").isLessThan(deadline);
        Thread.sleep(200);
      }
      job.destroy(); // SIGTERM, as the sandbox and `docker stop` send
      assertThat(job.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
    } finally {
      job.destroyForcibly();
    }

    assertThat(job.exitValue()).as("the signal's exit status, 128 + 15").isEqualTo(143);
    String said = Files.readString(stderr);
    assertThat(said)
        .contains("stopped; the job was cancelled, its checkpoints are kept")
        .doesNotContain("the job failed");
    try (Stream<Path> left = Files.list(flinkTmp)) {
      assertThat(left.map(path -> path.getFileName().toString()))
          .as("the RPC jar and the MiniCluster's folders, left in io.tmp.dirs")
          .isEmpty();
    }
  }
}
