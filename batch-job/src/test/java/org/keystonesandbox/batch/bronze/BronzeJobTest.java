package org.keystonesandbox.batch.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.keystonesandbox.batch.SparkLakeTest;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.SparkJobDescriptions;
import org.keystonesandbox.batch.silver.SilverJob;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.ViewingEventJson;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.events.topics.TopicProvisioner;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaExtension;

class BronzeJobTest extends SparkLakeTest {
  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  private static final long T0 = 1_767_600_000_000L; // 2026-01-05T08:00:00Z
  private int topics;

  private String topicWith(int valid, int malformed) {
    String topic = "bronze-test-" + (++topics);
    TopicProvisioner.ensureTopic(
        KAFKA.bootstrapServers(), topic, 2, (short) 1, Duration.ofSeconds(30));
    produce(topic, 0, valid, malformed);
    return topic;
  }

  private void produce(String topic, int from, int valid, int malformed) {
    produce(topic, from, valid, malformed, false);
  }

  /**
   * @param v2 every even event is written by a contract-version-2 client with a bitrate of {@code
   *     1000 + i}
   */
  private void produce(String topic, int from, int valid, int malformed, boolean v2) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      ViewingEventJson.Encoder encoder = ViewingEventJson.newEncoder();
      for (int i = from; i < from + valid; i++) {
        ViewingEvent event =
            new ViewingEvent(
                "e" + i,
                "u" + (i % 7),
                "p" + i,
                "t1",
                "tv",
                "US",
                EventType.HEARTBEAT,
                i * 1000L,
                1000,
                T0 + i * 60_000L,
                T0 + i * 60_000L,
                v2 && i % 2 == 0 ? 1000 + i : null);
        producer.send(record(topic, event.userId(), encoder.encode(event)));
      }
      for (int i = 0; i < malformed; i++) {
        producer.send(
            record(topic, "u0", ("{not json " + from + i).getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
    return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
  }

  private BronzeJob.Result bronze(LakeSettings lake, String topic, BronzeJob.Crash crash) {
    return new BronzeJob(spark, lake)
        .run(
            new BronzeJob.Settings(KAFKA.bootstrapServers(), topic, Duration.ofSeconds(30), crash));
  }

  private long count(LakeSettings lake, String table) {
    return spark.table(lake.table(table)).count();
  }

  private long distinctOffsets(LakeSettings lake, String table) {
    return spark
        .table(lake.table(table))
        .select("kafka_partition", "kafka_offset")
        .distinct()
        .count();
  }

  @Test
  void bitratesLandInBronzeAndSilverOnceTheTablesGainTheColumnAndOldRowsReadNull() {
    LakeSettings lake = freshLake();
    String topic = topicWith(0, 0);
    produce(topic, 0, 10, 0, true);
    bronze(lake, topic, BronzeJob.Crash.NONE);
    new SilverJob(spark, lake).run(SilverJob.Settings.DEFAULTS);
    String bronze = lake.table(PipelineNames.BRONZE_EVENTS);
    String silver = lake.table(PipelineNames.SILVER_EVENTS);
    assertThat(spark.table(bronze).columns()).doesNotContain("bitrate_kbps");
    assertThat(
            spark
                .sql("SELECT payload FROM " + bronze + " WHERE event_id = 'e4'")
                .first()
                .getString(0))
        .as("before the column exists, the payload keeps the bitrate")
        .contains("\"bitrate_kbps\":1004");

    spark.sql("ALTER TABLE " + bronze + " ADD COLUMN bitrate_kbps INT");
    spark.sql("ALTER TABLE " + silver + " ADD COLUMN bitrate_kbps INT");
    produce(topic, 10, 10, 0, true);
    bronze(lake, topic, BronzeJob.Crash.NONE);
    new SilverJob(spark, lake).run(SilverJob.Settings.DEFAULTS);

    for (String table : List.of(bronze, silver)) {
      Map<String, Object> bitrates = new java.util.TreeMap<>();
      spark
          .sql("SELECT event_id, bitrate_kbps FROM " + table)
          .collectAsList()
          .forEach(r -> bitrates.put(r.getString(0), r.get(1)));
      assertThat(bitrates).as(table).hasSize(20);
      for (int i = 0; i < 20; i++) {
        assertThat(bitrates.get("e" + i))
            .as("%s e%d", table, i)
            .isEqualTo(i >= 10 && i % 2 == 0 ? 1000 + i : null);
      }
    }
  }

  @Test
  void aClientClockAYearAheadIsQuarantinedByTheKafkaTimestampAndAddsNoDay() {
    LakeSettings lake = freshLake();
    String topic = topicWith(5, 0);
    long yearAhead = System.currentTimeMillis() + 365L * 24 * 3_600_000;
    ViewingEvent wrongClock =
        new ViewingEvent(
            "future",
            "u1",
            "p1",
            "t1",
            "tv",
            "US",
            EventType.HEARTBEAT,
            0,
            1000,
            yearAhead,
            yearAhead);
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      // The producer stamps the record with its own clock, now: a year before the client's.
      producer.send(record(topic, "u1", ViewingEventJson.newEncoder().encode(wrongClock)));
    }

    BronzeJob.Result result = bronze(lake, topic, BronzeJob.Crash.NONE);

    assertThat(result.eventsAppended()).isEqualTo(5);
    Row rejected =
        spark
            .sql(
                "SELECT reject_reason, reject_detail FROM "
                    + lake.table(PipelineNames.BRONZE_QUARANTINE))
            .first();
    assertThat(rejected.getString(0)).isEqualTo("FUTURE_TIMESTAMP");
    assertThat(rejected.getString(1)).contains("after the record's Kafka timestamp");
  }

  @Test
  void validRecordsGoToBronzeAndRejectsToQuarantineWithTheirReason() {
    LakeSettings lake = freshLake();
    String topic = topicWith(50, 3);

    BronzeJob.Result result = bronze(lake, topic, BronzeJob.Crash.NONE);

    assertThat(result.recordsRead()).isEqualTo(53);
    assertThat(result.eventsAppended()).isEqualTo(50);
    assertThat(result.rejectedAppended()).isEqualTo(3);
    assertThat(count(lake, PipelineNames.BRONZE_EVENTS)).isEqualTo(50);
    List<Row> rejects =
        spark
            .table(lake.table(PipelineNames.BRONZE_QUARANTINE))
            .select("reject_reason")
            .collectAsList();
    assertThat(rejects).extracting(r -> r.getString(0)).containsOnly("BAD_JSON").hasSize(3);
    Row first =
        spark
            .sql(
                "SELECT event_id, event_ts, payload FROM "
                    + lake.table(PipelineNames.BRONZE_EVENTS)
                    + " WHERE event_id = 'e0'")
            .first();
    assertThat(first.getTimestamp(1).getTime()).isEqualTo(T0);
    assertThat(first.getString(2)).contains("\"event_id\":\"e0\"");
  }

  @Test
  void aRerunWithNothingNewInTheTopicCommitsNothing() {
    LakeSettings lake = freshLake();
    String topic = topicWith(20, 1);
    bronze(lake, topic, BronzeJob.Crash.NONE);
    Map<String, Long> snapshots = currentSnapshots(lake);

    BronzeJob.Result rerun = bronze(lake, topic, BronzeJob.Crash.NONE);

    assertThat(rerun.recordsRead()).isZero();
    assertThat(currentSnapshots(lake)).isEqualTo(snapshots);
  }

  @Test
  void aCrashAfterWritingAndBeforeCommittingLosesAndDuplicatesNothing() {
    LakeSettings lake = freshLake();
    String topic = topicWith(40, 2);

    assertThatThrownBy(() -> bronze(lake, topic, BronzeJob.Crash.BEFORE_PUBLISHING_EVENTS))
        .hasMessageContaining("injected crash");
    assertThat(count(lake, PipelineNames.BRONZE_EVENTS)).isZero();
    assertThat(
            spark
                .sql("SELECT * FROM " + lake.table(PipelineNames.BRONZE_EVENTS) + ".snapshots")
                .count())
        .as("the staged snapshot exists, unpublished")
        .isEqualTo(1);

    produce(topic, 40, 10, 1);
    bronze(lake, topic, BronzeJob.Crash.NONE);

    assertThat(count(lake, PipelineNames.BRONZE_EVENTS)).isEqualTo(50);
    assertThat(distinctOffsets(lake, PipelineNames.BRONZE_EVENTS)).isEqualTo(50);
    assertThat(count(lake, PipelineNames.BRONZE_QUARANTINE)).isEqualTo(3);
  }

  @Test
  void anotherWritersCommitBeforePublishingPublishesNothingAndTheRerunIsExact() {
    LakeSettings lake = freshLake();
    String topic = topicWith(30, 2);
    bronze(lake, topic, BronzeJob.Crash.NONE);
    produce(topic, 30, 20, 1);

    assertThatThrownBy(
            () -> bronze(lake, topic, BronzeJob.Crash.CONCURRENT_COMMIT_BEFORE_PUBLISHING))
        .hasMessageContaining("would not be a fast-forward");
    assertThat(count(lake, PipelineNames.BRONZE_EVENTS)).as("nothing published").isEqualTo(30);

    bronze(lake, topic, BronzeJob.Crash.NONE);

    assertThat(count(lake, PipelineNames.BRONZE_EVENTS)).isEqualTo(50);
    assertThat(distinctOffsets(lake, PipelineNames.BRONZE_EVENTS)).isEqualTo(50);
    assertThat(bronze(lake, topic, BronzeJob.Crash.NONE).eventsAppended()).isZero();
  }

  @Test
  void everySparkJobOfARunIsNamedAfterItsBronzeStep() throws Exception {
    LakeSettings lake = freshLake();
    String topic = topicWith(30, 2);

    List<String> sparkJobs =
        SparkJobDescriptions.of(spark, () -> bronze(lake, topic, BronzeJob.Crash.NONE));

    assertThat(sparkJobs)
        .as("the Spark jobs bronze started, as Spark's UI names them")
        .isNotEmpty()
        .allSatisfy(job -> assertThat(job).startsWith("bronze: "))
        .contains("bronze: events read, parsed and staged", "bronze: rejected records staged");
  }

  @Test
  void aCommitLandingBetweenThePublishsCheckAndItsCommitPublishesNothingAndTheRerunIsExact() {
    LakeSettings lake = freshLake();
    String topic = topicWith(30, 2);
    bronze(lake, topic, BronzeJob.Crash.NONE);
    produce(topic, 30, 20, 1);

    assertThatThrownBy(
            () -> bronze(lake, topic, BronzeJob.Crash.CONCURRENT_COMMIT_WHILE_PUBLISHING))
        .hasMessageContaining("would not be a fast-forward");
    assertThat(count(lake, PipelineNames.BRONZE_EVENTS)).as("nothing published").isEqualTo(30);

    bronze(lake, topic, BronzeJob.Crash.NONE);

    assertThat(count(lake, PipelineNames.BRONZE_EVENTS)).isEqualTo(50);
    assertThat(distinctOffsets(lake, PipelineNames.BRONZE_EVENTS)).isEqualTo(50);
    assertThat(bronze(lake, topic, BronzeJob.Crash.NONE).eventsAppended()).isZero();
  }

  @Test
  void aCrashBetweenTheTwoTablesCommitsLosesAndDuplicatesNothing() {
    LakeSettings lake = freshLake();
    String topic = topicWith(30, 2);
    bronze(lake, topic, BronzeJob.Crash.NONE);
    produce(topic, 30, 30, 2);

    assertThatThrownBy(() -> bronze(lake, topic, BronzeJob.Crash.BETWEEN_TABLES))
        .hasMessageContaining("injected crash");
    assertThat(count(lake, PipelineNames.BRONZE_EVENTS)).isEqualTo(60);
    assertThat(count(lake, PipelineNames.BRONZE_QUARANTINE)).isEqualTo(2);

    BronzeJob.Result recovery = bronze(lake, topic, BronzeJob.Crash.NONE);

    assertThat(recovery.eventsAppended()).isZero();
    assertThat(recovery.rejectedAppended()).isEqualTo(2);
    assertThat(count(lake, PipelineNames.BRONZE_EVENTS)).isEqualTo(60);
    assertThat(distinctOffsets(lake, PipelineNames.BRONZE_EVENTS)).isEqualTo(60);
    assertThat(count(lake, PipelineNames.BRONZE_QUARANTINE)).isEqualTo(4);
    assertThat(distinctOffsets(lake, PipelineNames.BRONZE_QUARANTINE)).isEqualTo(4);
  }

  @Test
  void aTopicRecreatedBehindWhatBronzeHoldsIsAClearErrorNotASilentRewind() throws Exception {
    LakeSettings lake = freshLake();
    String topic = topicWith(30, 0);
    bronze(lake, topic, BronzeJob.Crash.NONE);
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
      admin.deleteTopics(List.of(topic)).all().get();
      while (admin.listTopics().names().get().contains(topic)) {
        Thread.sleep(100);
      }
    }
    TopicProvisioner.ensureTopic(
        KAFKA.bootstrapServers(), topic, 2, (short) 1, Duration.ofSeconds(30));
    produce(topic, 0, 4, 0);

    assertThatThrownBy(() -> bronze(lake, topic, BronzeJob.Crash.NONE))
        .hasMessageContaining("was the topic deleted and recreated?");
    assertThat(count(lake, PipelineNames.BRONZE_EVENTS)).isEqualTo(30);
  }

  @Test
  void aTableFilledFromAnotherTopicIsAClearError() {
    LakeSettings lake = freshLake();
    bronze(lake, topicWith(3, 0), BronzeJob.Crash.NONE);

    String other = topicWith(3, 0);
    assertThatThrownBy(() -> bronze(lake, other, BronzeJob.Crash.NONE))
        .hasMessageContaining("holds records of topic");
  }

  private Map<String, Long> currentSnapshots(LakeSettings lake) {
    Map<String, Long> ids = new java.util.TreeMap<>();
    for (String table : List.of(PipelineNames.BRONZE_EVENTS, PipelineNames.BRONZE_QUARANTINE)) {
      ids.put(
          table,
          spark
              .sql(
                  "SELECT snapshot_id FROM "
                      + lake.table(table)
                      + ".history WHERE is_current_ancestor ORDER BY made_current_at DESC LIMIT 1")
              .first()
              .getLong(0));
    }
    return ids;
  }
}
