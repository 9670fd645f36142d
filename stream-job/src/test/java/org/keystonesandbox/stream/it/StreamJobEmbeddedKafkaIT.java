package org.keystonesandbox.stream.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaExtension;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.stream.BoundedRunSettings;
import org.keystonesandbox.stream.SharedMiniCluster;
import org.keystonesandbox.stream.StreamJobPipeline;
import org.keystonesandbox.stream.StreamJobSettings;
import org.keystonesandbox.stream.kafka.OutputJson;
import org.keystonesandbox.stream.topology.IncomingRecord;
import org.keystonesandbox.stream.topology.SessionTopology;

/**
 * The stream job's contract on the in-process KRaft broker (runs wherever Java runs), the recovery
 * from a crash mid-stream, and the sessions landed in the lake.
 */
class StreamJobEmbeddedKafkaIT extends StreamJobAgainstBrokerContract {
  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @Override
  String bootstrapServers() {
    return KAFKA.bootstrapServers();
  }

  @ParameterizedTest
  @ValueSource(strings = {"hashmap", "rocksdb"})
  void aCrashMidStreamRestartsFromTheCheckpointWithNoSessionLostOrDuplicated(
      String stateBackend, @TempDir Path outDir) throws Exception {
    String name = "crash-" + stateBackend;
    RunSummary summary = generate(name + "-events", outDir);
    StreamJobSettings settings =
        jobSettings(
            name,
            "--state-backend",
            stateBackend,
            "--allowed-lateness",
            "8d",
            "--dedup-horizon",
            "8d",
            "--flink-conf",
            "restart-strategy.type=fixed-delay",
            "--flink-conf",
            "restart-strategy.fixed-delay.attempts=2",
            "--flink-conf",
            "restart-strategy.fixed-delay.delay=200ms");
    StreamExecutionEnvironment env = environmentFor(settings);
    DataStream<IncomingRecord> records =
        StreamJobPipeline.eventsSource(env, settings)
            .map(new FailOnceAfterCheckpoint(EVENTS / 4))
            .name("fail-once");
    StreamJobPipeline.sinkToKafka(
        SessionTopology.sessionize(
            records, settings.sessions(), settings.runtime().stateBackend().seenIdsLayout()),
        settings.kafka());
    FailOnceAfterCheckpoint.FAILURES.set(0);

    env.execute("crash-test");

    assertThat(FailOnceAfterCheckpoint.FAILURES.get()).isEqualTo(1);
    // SessionLog also fails on any (user, start, revision) committed twice.
    assertThat(
            SessionLog.materialize(
                TopicContents.readCommitted(bootstrapServers(), settings.kafka().sessionsTopic())))
        .containsExactlyElementsOf(ReferenceSessions.of(truth(summary), GAP));
    assertThat(TopicContents.readCommitted(bootstrapServers(), settings.kafka().deadLetterTopic()))
        .hasSize((int) summary.malformed());
  }

  @Test
  void theLakeSessionsTableEqualsTheCommittedSessionsTopicWithUpdatesAndRetractions(
      @TempDir Path outDir) throws Exception {
    String name = "lake";
    // One partition and a watermark after every event: the watermark follows the arrival order
    // exactly (a periodic one hardly moves while a replay reads), so late copies re-emit sessions.
    RunSummary summary = generate(name + "-events", outDir, 1);
    StreamJobSettings settings =
        jobSettings(
            name,
            "--allowed-lateness",
            "8d",
            "--dedup-horizon",
            "8d",
            "--watermark-per-event",
            "--lake-sessions",
            "--warehouse",
            outDir.resolve("lake").toString());

    run(settings);

    List<ConsumerRecord<byte[], byte[]>> topic =
        TopicContents.readCommitted(bootstrapServers(), settings.kafka().sessionsTopic());
    assertThat(
            topic.stream()
                .map(record -> OutputJson.readSession(record.value()))
                .filter(update -> update.revision > 1))
        .as("late events re-emitted sessions, so the sink had rows to replace")
        .isNotEmpty();
    List<ReferenceSession> fromTopic = SessionLog.materialize(topic);
    assertThat(LakeSessions.read(settings.lake().orElseThrow()))
        .containsExactlyElementsOf(fromTopic)
        .containsExactlyElementsOf(ReferenceSessions.of(truth(summary), GAP));
  }

  @ParameterizedTest
  @ValueSource(strings = {"hashmap", "rocksdb"})
  void aJobStoppedWithASavepointResumesAtAnotherParallelismWithNoSessionLostSplitOrDuplicated(
      String stateBackend, @TempDir Path outDir) throws Exception {
    String name = "rescale-" + stateBackend;
    String topic = name + "-events";
    RunSummary first = generate(topic, outDir.resolve("first"), 4, EVENTS / 2);
    String savepoints = outDir.resolve("savepoints").toUri().toString();
    String[] flags = {
      "--state-backend", stateBackend, "--allowed-lateness", "8d", "--dedup-horizon", "8d"
    };

    StreamJobSettings atOne = liveSettings(name, 1, flags);
    StreamExecutionEnvironment one = environmentFor(atOne);
    StreamJobPipeline.wire(one, atOne);
    JobClient firstJob = one.executeAsync(StreamJobPipeline.JOB_NAME);
    awaitCaughtUp(atOne, firstJob);
    String savepoint =
        firstJob.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL).get();

    // The same users a minute of event time later: sessions open at the stop continue.
    RunSummary second =
        generate(
            topic,
            outDir.resolve("second"),
            4,
            EVENTS / 2,
            "--seed",
            "8",
            "--start",
            first.lastEventTime().plus(Duration.ofMinutes(1)).toString());
    StreamJobSettings atTwo = liveSettings(name, 2, flags);
    Configuration restore = StreamJobPipeline.flinkConfiguration(atTwo.runtime());
    restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    StreamExecutionEnvironment two = SharedMiniCluster.environment(restore);
    StreamJobPipeline.wire(two, atTwo);
    JobClient secondJob = two.executeAsync(StreamJobPipeline.JOB_NAME);
    awaitCaughtUp(atTwo, secondJob);
    // Draining ends event time: every open session closes and is committed with the savepoint.
    secondJob.stopWithSavepoint(true, savepoints, SavepointFormatType.CANONICAL).get();

    List<ViewingEvent> truth = new ArrayList<>(truth(first));
    truth.addAll(truth(second));
    assertThat(
            SessionLog.materialize(
                TopicContents.readCommitted(bootstrapServers(), atTwo.kafka().sessionsTopic())))
        .containsExactlyElementsOf(ReferenceSessions.of(truth, GAP));
  }

  private StreamJobSettings liveSettings(String name, int parallelism, String... more) {
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--checkpoint-interval", "300ms", "--parallelism", Integer.toString(parallelism)));
    flags.addAll(List.of(more));
    return BoundedRunSettings.parseLive(
        bootstrapServers(), name + "-events", name, flags.toArray(new String[0]));
  }

  /** Waits until the job has committed offsets up to the end of its topic, as of now. */
  private void awaitCaughtUp(StreamJobSettings settings, JobClient job) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (TopicContents.lag(
            bootstrapServers(), settings.kafka().groupId(), settings.kafka().eventsTopic())
        > 0) {
      assertThat(job.getJobStatus().get().isGloballyTerminalState()).as("job ended").isFalse();
      assertThat(System.nanoTime()).as("caught up within 90 s").isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
