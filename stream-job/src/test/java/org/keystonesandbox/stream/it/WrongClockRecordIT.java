package org.keystonesandbox.stream.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.RejectReason;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.ViewingEventJson;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaExtension;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.stream.SharedMiniCluster;
import org.keystonesandbox.stream.StreamJobCommand;
import org.keystonesandbox.stream.StreamJobPipeline;
import org.keystonesandbox.stream.StreamJobSettings;
import org.keystonesandbox.stream.kafka.DeadLetterSerializer;
import org.keystonesandbox.stream.kafka.KafkaWiring;

/**
 * A client whose clock runs a year ahead, in both of its times, writes one record into a running
 * job's topic; its own partition stays busy with on-time events while the other partitions go quiet
 * for longer than the idleness. Judged by the client's times alone, that record would set its
 * partition's watermark a year ahead, and once the quiet partitions stop holding the job's
 * watermark back, it would jump a year: every open session closed, every later event late.
 */
@ExtendWith(SharedMiniCluster.class)
class WrongClockRecordIT {
  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  private static final int PARTITIONS = 4;
  private static final Duration IDLENESS = Duration.ofSeconds(1);
  private static final Duration QUIET = Duration.ofSeconds(3);
  private static final long MINUTE = 60_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<ViewingEvent> onTime = Collections.synchronizedList(new ArrayList<>());
  private int ids;
  private long lastOnTime;

  @Test
  void aRecordFromAClockAYearAheadIsADeadLetterAndTheWatermarkStaysPutThroughAQuietPeriod(
      @TempDir Path dir) throws Exception {
    String name = "wrong-clock";
    String topic = name + "-events";
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
    }
    long now = System.currentTimeMillis();
    // On-time events half an hour behind the wall clock (and the Kafka timestamps), one user per
    // partition, a minute apart: one session each, open until the job stops.
    long t0 = now - 30 * MINUTE;
    StreamJobSettings settings =
        StreamJobCommand.parseSettings(
            "--bootstrap-server",
            KAFKA.bootstrapServers(),
            "--events-topic",
            topic,
            "--sessions-topic",
            name + "-sessions",
            "--late-topic",
            name + "-late",
            "--dlq-topic",
            name + "-dlq",
            "--group-id",
            name,
            "--transactional-id-prefix",
            name,
            "--idleness",
            IDLENESS.toSeconds() + "s",
            "--checkpoint-interval",
            "300ms",
            "--flink-conf",
            "restart-strategy.type=none");

    try (KafkaProducer<String, byte[]> producer = producer()) {
      for (int minute = 0; minute < 5; minute++) {
        for (int partition = 0; partition < PARTITIONS; partition++) {
          send(producer, topic, partition, onTime(partition, t0 + minute * MINUTE));
        }
      }
      KafkaWiring.ensureOutputTopics(settings.kafka(), Duration.ofSeconds(10));
      StreamExecutionEnvironment env =
          SharedMiniCluster.environment(StreamJobPipeline.flinkConfiguration(settings.runtime()));
      StreamJobPipeline.wire(env, settings);
      JobClient job = env.executeAsync(StreamJobPipeline.JOB_NAME);
      String jobId = job.getJobID().toHexString();
      awaitCaughtUp(settings, job);

      // From now on partition 0 stays busy, every 200 ms an event 5 s of event time later; the
      // others are quiet for longer than the idleness, so partition 0 alone moves the watermark.
      ScheduledExecutorService busy = Executors.newSingleThreadScheduledExecutor();
      busy.scheduleWithFixedDelay(
          () -> send(producer, topic, 0, onTime(0, lastOnTime() + 5_000)),
          0,
          200,
          TimeUnit.MILLISECONDS);
      long before;
      long during;
      long yearAhead = now + Duration.ofDays(365).toMillis();
      try {
        before = awaitWatermark(jobId, t0 + 4 * MINUTE);
        // The wrong clock: event_ts = sent_ts = a year ahead; the producer stamps it with now.
        send(producer, topic, 0, event("wrong-clock", "user-0", yearAhead));
        Thread.sleep(QUIET.toMillis());
        during = awaitWatermark(jobId, before + 1);
      } finally {
        busy.shutdown();
        assertThat(busy.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      }
      awaitCaughtUp(settings, job);
      System.out.printf(
          "watermark before the wrong clock %s, %s after it %s%n",
          Instant.ofEpochMilli(before), QUIET, Instant.ofEpochMilli(during));
      assertThat(during)
          .as(
              "the job's watermark after the wrong clock (%s) trails partition 0's on-time"
                  + " events, nowhere near %s",
              Instant.ofEpochMilli(during), Instant.ofEpochMilli(yearAhead))
          .isLessThan(lastOnTime());

      // After the quiet period, every partition sends on-time events again: none is late, and
      // they extend the sessions that are still open.
      for (int minute = 9; minute < 12; minute++) {
        for (int partition = 1; partition < PARTITIONS; partition++) {
          send(producer, topic, partition, onTime(partition, t0 + minute * MINUTE));
        }
      }
      send(producer, topic, 0, onTime(0, lastOnTime() + 5_000));
      awaitCaughtUp(settings, job);
      // Then an event 75 minutes after the first in every partition moves event time past the
      // sessions' gap and allowed lateness: they close and are committed. (A stop with drain would
      // not do: its final watermark is dropped by a source whose partitions are all idle.)
      for (int partition = 0; partition < PARTITIONS; partition++) {
        send(producer, topic, partition, event("closer-" + partition, "closer", t0 + 75 * MINUTE));
      }
      List<ConsumerRecord<byte[], byte[]>> sessions =
          awaitRecords(settings.kafka().sessionsTopic(), PARTITIONS, job);
      job.cancel().get();
      assertThat(SessionLog.materialize(sessions))
          .containsExactlyElementsOf(ReferenceSessions.of(onTime, Duration.ofMinutes(30)));
    }

    List<ConsumerRecord<byte[], byte[]>> deadLetters =
        TopicContents.readCommitted(KAFKA.bootstrapServers(), settings.kafka().deadLetterTopic());
    assertThat(deadLetters).hasSize(1);
    assertThat(header(deadLetters.get(0), DeadLetterSerializer.REASON_HEADER))
        .isEqualTo(RejectReason.FUTURE_TIMESTAMP.name());
    assertThat(header(deadLetters.get(0), DeadLetterSerializer.DETAIL_HEADER))
        .contains("after the record's Kafka timestamp");
    assertThat(
            TopicContents.readCommitted(
                KAFKA.bootstrapServers(), settings.kafka().lateEventsTopic()))
        .as("events late behind the watermark")
        .isEmpty();
  }

  /** An on-time event of the user of {@code partition}, kept as the truth. */
  private synchronized ViewingEvent onTime(int partition, long ts) {
    ViewingEvent event = event("on-time-" + ids++, "user-" + partition, ts);
    onTime.add(event);
    lastOnTime = Math.max(lastOnTime, ts);
    return event;
  }

  private synchronized long lastOnTime() {
    return lastOnTime;
  }

  private static ViewingEvent event(String id, String user, long ts) {
    return new ViewingEvent(
        id, user, user + "-play", "title-1", "tv", "DE", EventType.HEARTBEAT, 0, 5_000, ts, ts);
  }

  private static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  /** Writes {@code event} into {@code partition}; its Kafka timestamp is the producer's now. */
  private static void send(
      KafkaProducer<String, byte[]> producer, String topic, int partition, ViewingEvent event) {
    try {
      producer
          .send(
              new ProducerRecord<>(
                  topic, partition, event.userId(), ViewingEventJson.newEncoder().encode(event)))
          .get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("could not write " + event.eventId(), e);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  /** Waits until the job has committed offsets up to the end of its topic, as of now. */
  private static void awaitCaughtUp(StreamJobSettings settings, JobClient job) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (TopicContents.lag(
            KAFKA.bootstrapServers(), settings.kafka().groupId(), settings.kafka().eventsTopic())
        > 0) {
      assertThat(job.getJobStatus().get().isGloballyTerminalState()).as("job ended").isFalse();
      assertThat(System.nanoTime()).as("caught up within 90 s").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** Waits until {@code topic} holds {@code count} committed records. */
  private static List<ConsumerRecord<byte[], byte[]>> awaitRecords(
      String topic, int count, JobClient job) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<ConsumerRecord<byte[], byte[]>> records =
        TopicContents.readCommitted(KAFKA.bootstrapServers(), topic);
    while (records.size() < count) {
      assertThat(job.getJobStatus().get().isGloballyTerminalState()).as("job ended").isFalse();
      assertThat(System.nanoTime())
          .as("%s records in %s within 60 s", count, topic)
          .isLessThan(deadline);
      Thread.sleep(300);
      records = TopicContents.readCommitted(KAFKA.bootstrapServers(), topic);
    }
    return records;
  }

  /** Waits until the job's watermark has reached {@code atLeast} and returns it. */
  private long awaitWatermark(String jobId, long atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    long watermark = watermark(jobId);
    while (watermark < atLeast) {
      assertThat(System.nanoTime())
          .as("watermark %s reached %s within 30 s", watermark, Instant.ofEpochMilli(atLeast))
          .isLessThan(deadline);
      Thread.sleep(200);
      watermark = watermark(jobId);
    }
    return watermark;
  }

  /**
   * The watermark of the sessionizing operator as Flink's REST API reports it: the smallest {@code
   * currentInputWatermark} over its subtasks.
   */
  private long watermark(String jobId) throws Exception {
    URI rest = SharedMiniCluster.restAddress();
    for (JsonNode vertex : get(rest, "/jobs/" + jobId).path("vertices")) {
      if (vertex.path("name").asText().contains("dedup-and-sessionize")) {
        long smallest = Long.MAX_VALUE;
        for (JsonNode metric :
            get(
                rest,
                "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/watermarks")) {
          smallest = Math.min(smallest, metric.path("value").asLong());
        }
        return smallest == Long.MAX_VALUE ? Long.MIN_VALUE : smallest;
      }
    }
    throw new AssertionError("no sessionizing vertex in job " + jobId);
  }

  private JsonNode get(URI rest, String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(rest.resolve(path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
