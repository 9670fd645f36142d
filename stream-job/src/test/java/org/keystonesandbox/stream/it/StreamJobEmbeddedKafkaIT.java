package org.keystonesandbox.stream.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaExtension;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
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

  @Test
  void aCrashMidStreamRestartsFromTheCheckpointWithNoSessionLostOrDuplicated(@TempDir Path outDir)
      throws Exception {
    String name = "crash";
    RunSummary summary = generate(name + "-events", outDir);
    StreamJobSettings settings =
        jobSettings(
            name,
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
        SessionTopology.sessionize(records, settings.sessions()), settings.kafka());
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
    // One partition: the watermark follows the arrival order, so late copies re-emit sessions.
    RunSummary summary = generate(name + "-events", outDir, 1);
    StreamJobSettings settings =
        jobSettings(
            name,
            "--allowed-lateness",
            "8d",
            "--dedup-horizon",
            "8d",
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
}
