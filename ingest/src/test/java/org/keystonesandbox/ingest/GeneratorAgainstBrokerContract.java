package org.keystonesandbox.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.events.ParseResult;
import org.keystonesandbox.events.RejectReason;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.ViewingEventJson;
import org.keystonesandbox.events.catalog.CatalogFiles;
import org.keystonesandbox.events.truth.GroundTruthReader;
import org.keystonesandbox.ingest.delivery.Malformation;

/**
 * The generator against a real broker: every record read back, counted, keyed and reconciled with
 * the ground truth. Subclasses say where the broker is (embedded, or in a container).
 */
abstract class GeneratorAgainstBrokerContract {

  static final int EVENTS = 30_000;

  abstract String bootstrapServers();

  @Test
  void everyRecordIsReadBackKeyedByUserAndReconcilesWithTheGroundTruth(@TempDir Path outDir)
      throws IOException {
    String topic = "events-" + getClass().getSimpleName();
    GeneratorSettings settings =
        GeneratorCommand.parseSettings(
            "--bootstrap-server",
            bootstrapServers(),
            "--topic",
            topic,
            "--partitions",
            "3",
            "--count",
            Integer.toString(EVENTS),
            "--unthrottled",
            "--duplicate-rate",
            "0.05",
            "--late-rate",
            "0.02",
            "--malformed-rate",
            "0.01",
            "--out-dir",
            outDir.toString(),
            "--progress-interval",
            "1h");
    RunSummary summary = new GeneratorRun(settings, System.err).run();
    assertThat(summary.complete()).as(summary.endedBy()).isTrue();
    assertThat(summary.partitions()).isEqualTo(3);
    assertThat(summary.uniqueEvents()).isEqualTo(EVENTS);

    Map<String, ViewingEvent> truth = new HashMap<>();
    try (GroundTruthReader reader =
        GroundTruthReader.open(outDir.resolve(OutputSettings.TRUTH_FILE))) {
      reader.forEach(e -> assertThat(truth.put(e.eventId(), e)).isNull());
    }
    assertThat(truth).hasSize(EVENTS);

    List<ConsumerRecord<byte[], byte[]>> records = readAll(topic, 3);
    assertThat(records).hasSize((int) summary.records());

    Map<String, ViewingEvent> firstCopies = new HashMap<>();
    long validCopies = 0;
    Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
    for (ConsumerRecord<byte[], byte[]> record : records) {
      String key = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(key).matches("u\\d{7}");
      ParseResult parsed = ViewingEventJson.parse(record.value());
      if (parsed instanceof ParseResult.Valid valid) {
        validCopies++;
        assertThat(valid.event().userId()).isEqualTo(key);
        // All copies of an event share a key, hence a partition: the first in offset order is
        // the original, exactly as the ground truth recorded it.
        firstCopies.putIfAbsent(valid.event().eventId(), valid.event());
      } else {
        rejected.merge(((ParseResult.Rejected) parsed).reason(), 1L, Long::sum);
      }
    }
    assertThat(firstCopies).isEqualTo(truth);
    assertThat(validCopies - EVENTS).isEqualTo(summary.duplicates()).isPositive();
    Map<RejectReason, Long> expectedRejections = new EnumMap<>(RejectReason.class);
    summary
        .malformedByKind()
        .forEach((kind, n) -> expectedRejections.put(kind.expectedReason(), n));
    assertThat(rejected).isEqualTo(expectedRejections);
    assertThat(summary.malformedByKind()).containsOnlyKeys(Malformation.values());
    assertThat(CatalogFiles.readTitles(outDir.resolve(CatalogFiles.TITLES_FILE))).hasSize(500);
  }

  @Test
  void recordsSentAtAPaceAreTheRecordsSentUnthrottledPartitionByPartition(@TempDir Path dir)
      throws IOException {
    String topic = "pace-" + getClass().getSimpleName();
    long started = System.nanoTime();
    Map<Integer, List<String>> paced =
        send(topic + "-paced", dir.resolve("paced"), "--rate", "4000");
    Duration pacedTook = Duration.ofNanos(System.nanoTime() - started);
    Map<Integer, List<String>> unthrottled =
        send(topic + "-unthrottled", dir.resolve("unthrottled"), "--rate", "4000", "--unthrottled");

    assertThat(pacedTook)
        .as("2,000 records at 4,000 a second")
        .isGreaterThan(Duration.ofMillis(400));
    assertThat(unthrottled).isEqualTo(paced);
  }

  /**
   * 2,000 events (with copies and malformed records) sent into {@code topic}, read back by
   * partition. The rate also sets how much event time a record carries, so both runs name it.
   */
  private Map<Integer, List<String>> send(String topic, Path outDir, String... pace)
      throws IOException {
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--bootstrap-server",
                bootstrapServers(),
                "--topic",
                topic,
                "--partitions",
                "3",
                "--count",
                "2000",
                "--seed",
                "11",
                "--out-dir",
                outDir.toString(),
                "--progress-interval",
                "1h"));
    flags.addAll(List.of(pace));
    RunSummary summary =
        new GeneratorRun(GeneratorCommand.parseSettings(flags.toArray(new String[0])), System.err)
            .run();
    assertThat(summary.complete()).as(summary.endedBy()).isTrue();
    Map<Integer, List<String>> byPartition = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : readAll(topic, 3)) {
      byPartition
          .computeIfAbsent(record.partition(), p -> new ArrayList<>())
          .add(new String(record.value(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return byPartition;
  }

  private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int partitions) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    List<TopicPartition> assigned = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      assigned.add(new TopicPartition(topic, p));
    }
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (assigned.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime()).as("read back within a minute").isLessThan(deadline);
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    return records;
  }
}
