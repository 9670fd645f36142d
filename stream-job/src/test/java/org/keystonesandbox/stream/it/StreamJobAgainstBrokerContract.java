package org.keystonesandbox.stream.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.events.RejectReason;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.truth.GroundTruthReader;
import org.keystonesandbox.ingest.GeneratorCommand;
import org.keystonesandbox.ingest.GeneratorRun;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.stream.BoundedRunSettings;
import org.keystonesandbox.stream.SharedMiniCluster;
import org.keystonesandbox.stream.StreamJobPipeline;
import org.keystonesandbox.stream.StreamJobSettings;
import org.keystonesandbox.stream.kafka.DeadLetterSerializer;
import org.keystonesandbox.stream.kafka.KafkaWiring;
import org.keystonesandbox.stream.kafka.OutputJson;
import org.keystonesandbox.stream.topology.JobCounter;
import org.keystonesandbox.stream.topology.LateEvent;

/**
 * The generator's stream through a real broker into the job on a Flink MiniCluster; what the job
 * committed is compared with the reference sessions derived from the generator's ground truth.
 * Subclasses say where the broker is.
 */
@ExtendWith(SharedMiniCluster.class)
abstract class StreamJobAgainstBrokerContract {
  static final int EVENTS = 40_000;
  static final Duration GAP = Duration.ofMinutes(30);

  abstract String bootstrapServers();

  /** One run of the generator into {@code topic}, with every delivery fault turned on. */
  RunSummary generate(String topic, Path outDir) throws IOException {
    return generate(topic, outDir, 4);
  }

  RunSummary generate(String topic, Path outDir, int partitions) throws IOException {
    return generate(topic, outDir, partitions, EVENTS);
  }

  /** {@code count} events into {@code topic}, after any already there if {@code more} says so. */
  RunSummary generate(String topic, Path outDir, int partitions, int count, String... more)
      throws IOException {
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--bootstrap-server",
                bootstrapServers(),
                "--topic",
                topic,
                "--partitions",
                Integer.toString(partitions),
                "--count",
                Integer.toString(count),
                "--unthrottled",
                "--duplicate-rate",
                "0.03",
                "--late-rate",
                "0.02",
                "--malformed-rate",
                "0.005",
                "--out-dir",
                outDir.toString(),
                "--progress-interval",
                "1h"));
    flags.addAll(List.of(more));
    RunSummary summary =
        new GeneratorRun(GeneratorCommand.parseSettings(flags.toArray(new String[0])), System.err)
            .run();
    assertThat(summary.complete()).as(summary.endedBy()).isTrue();
    assertThat(summary.duplicates()).isPositive();
    assertThat(summary.lateEvents()).isPositive();
    assertThat(summary.malformed()).isPositive();
    return summary;
  }

  /** The job's settings for topics named after {@code name}, bounded, quick checkpoints. */
  StreamJobSettings jobSettings(String name, String... more) {
    List<String> flags = new ArrayList<>(List.of("--checkpoint-interval", "500ms"));
    flags.addAll(List.of(more));
    return BoundedRunSettings.parse(
        bootstrapServers(), name + "-events", name, flags.toArray(new String[0]));
  }

  /** The output topics created and an environment on the MiniCluster configured as the job is. */
  static StreamExecutionEnvironment environmentFor(StreamJobSettings settings) {
    KafkaWiring.ensureOutputTopics(settings.kafka(), Duration.ofSeconds(10));
    return SharedMiniCluster.environment(StreamJobPipeline.flinkConfiguration(settings.runtime()));
  }

  static JobExecutionResult run(StreamJobSettings settings) throws Exception {
    StreamExecutionEnvironment env = environmentFor(settings);
    StreamJobPipeline.wire(env, settings);
    return env.execute(StreamJobPipeline.JOB_NAME);
  }

  static List<ViewingEvent> truth(RunSummary summary) throws IOException {
    List<ViewingEvent> events = new ArrayList<>();
    try (GroundTruthReader reader = GroundTruthReader.open(summary.truthFile())) {
      reader.forEach(events::add);
    }
    assertThat(events).hasSize((int) summary.uniqueEvents());
    return events;
  }

  static long counter(JobExecutionResult result, String name) {
    return ((Number) result.getAllAccumulatorResults().getOrDefault(name, 0L)).longValue();
  }

  @Test
  void committedSessionsEqualTheReferenceWithDuplicatesOutOfOrderLateAndMalformedEvents(
      @TempDir Path outDir) throws Exception {
    String name = "exact-" + getClass().getSimpleName();
    RunSummary summary = generate(name + "-events", outDir);
    // Allowed lateness beyond the generator's largest lateness: every event counts.
    StreamJobSettings settings =
        jobSettings(name, "--allowed-lateness", "8d", "--dedup-horizon", "8d");

    JobExecutionResult result = run(settings);

    List<ReferenceSession> expected = ReferenceSessions.of(truth(summary), GAP);
    List<ReferenceSession> committed =
        SessionLog.materialize(
            TopicContents.readCommitted(bootstrapServers(), settings.kafka().sessionsTopic()));
    assertThat(committed).hasSameSizeAs(expected).containsExactlyElementsOf(expected);
    assertThat(counter(result, JobCounter.EVENTS_PARSED))
        .isEqualTo(summary.uniqueEvents() + summary.duplicates());
    assertThat(counter(result, JobCounter.DUPLICATES_DROPPED)).isEqualTo(summary.duplicates());
    assertThat(counter(result, JobCounter.LATE_EVENTS)).isZero();
    assertThat(TopicContents.readCommitted(bootstrapServers(), settings.kafka().lateEventsTopic()))
        .isEmpty();

    List<ConsumerRecord<byte[], byte[]>> deadLetters =
        TopicContents.readCommitted(bootstrapServers(), settings.kafka().deadLetterTopic());
    Map<RejectReason, Long> reasons = new EnumMap<>(RejectReason.class);
    for (ConsumerRecord<byte[], byte[]> record : deadLetters) {
      String reason =
          new String(
              record.headers().lastHeader(DeadLetterSerializer.REASON_HEADER).value(),
              StandardCharsets.UTF_8);
      reasons.merge(RejectReason.valueOf(reason), 1L, Long::sum);
    }
    Map<RejectReason, Long> expectedReasons = new EnumMap<>(RejectReason.class);
    summary
        .malformedByKind()
        .forEach((kind, n) -> expectedReasons.merge(kind.expectedReason(), n, Long::sum));
    assertThat(reasons).isEqualTo(expectedReasons);
    assertThat(counter(result, JobCounter.EVENTS_MALFORMED)).isEqualTo(summary.malformed());
  }

  @Test
  void eventsBeyondAllowedLatenessGoToTheLateTopicAndEverythingElseMatchesTheReference(
      @TempDir Path outDir) throws Exception {
    String name = "late-" + getClass().getSimpleName();
    // One partition and a watermark after every event: the watermark then follows the arrival
    // order exactly, so the generator's late copies (10 min to 2 days late) meet a watermark far
    // past them. With several partitions a reader may drain one before starting another, and with
    // periodic watermarks a fast reader may pass a whole batch before the first one: either holds
    // the watermark back and lets no event be late.
    RunSummary summary = generate(name + "-events", outDir, 1);
    Duration lateness = Duration.ofMinutes(10);
    StreamJobSettings settings =
        jobSettings(
            name, "--allowed-lateness", "10m", "--dedup-horizon", "6h", "--watermark-per-event");

    JobExecutionResult result = run(settings);

    List<ViewingEvent> truth = truth(summary);
    Set<String> truthIds = new HashSet<>();
    truth.forEach(e -> truthIds.add(e.eventId()));
    Set<String> lateIds = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> record :
        TopicContents.readCommitted(bootstrapServers(), settings.kafka().lateEventsTopic())) {
      LateEvent late = OutputJson.readLateEvent(record.value());
      assertThat(late.watermark - late.eventTs).isGreaterThan(lateness.toMillis());
      assertThat(truthIds).contains(late.eventId);
      lateIds.add(late.eventId);
    }
    assertThat(lateIds).isNotEmpty();
    assertThat(counter(result, JobCounter.LATE_EVENTS)).isGreaterThanOrEqualTo(lateIds.size());

    List<ViewingEvent> accepted = new ArrayList<>();
    truth.forEach(
        e -> {
          if (!lateIds.contains(e.eventId())) {
            accepted.add(e);
          }
        });
    List<ReferenceSession> committed =
        SessionLog.materialize(
            TopicContents.readCommitted(bootstrapServers(), settings.kafka().sessionsTopic()));
    assertThat(committed).containsExactlyElementsOf(ReferenceSessions.of(accepted, GAP));
  }
}
