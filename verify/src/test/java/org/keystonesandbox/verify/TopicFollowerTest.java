package org.keystonesandbox.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaExtension;

class TopicFollowerTest {
  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static void send(String topic, int partition, String... values) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String value : values) {
        producer.send(
            new ProducerRecord<>(topic, partition, null, value.getBytes(StandardCharsets.UTF_8)));
      }
    }
  }

  private static void create(String topic, int partitions) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static List<String> values(TopicFollower.Increment increment) {
    return increment.records().stream()
        .map(ConsumerRecord::value)
        .map(v -> new String(v, StandardCharsets.UTF_8))
        .toList();
  }

  @Test
  void eachReadReturnsOnlyTheRecordsAddedSinceTheLastOne() throws Exception {
    String topic = "follower-increments";
    create(topic, 2);
    send(topic, 0, "a", "b");
    send(topic, 1, "c");
    try (KafkaContents kafka = new KafkaContents(KAFKA.bootstrapServers(), TIMEOUT);
        TopicFollower follower = kafka.follow(topic, "read_committed")) {
      TopicFollower.Increment first = follower.readNew(kafka.endOffsets(topic).keySet());
      assertThat(first.fromStart()).isTrue();
      assertThat(values(first)).containsExactlyInAnyOrder("a", "b", "c");

      send(topic, 1, "d");
      send(topic, 0, "e");
      TopicFollower.Increment second = follower.readNew(kafka.endOffsets(topic).keySet());
      assertThat(second.fromStart()).isFalse();
      assertThat(values(second)).containsExactlyInAnyOrder("d", "e");

      assertThat(follower.readNew(kafka.endOffsets(topic).keySet()).records()).isEmpty();
    }
  }

  @Test
  void aTopicThatDoesNotExistYetIsFollowedOnceItDoes() throws Exception {
    String topic = "follower-late-topic";
    try (KafkaContents kafka = new KafkaContents(KAFKA.bootstrapServers(), TIMEOUT);
        TopicFollower follower = kafka.follow(topic, "read_committed")) {
      assertThat(follower.readNew(Set.of()).records()).isEmpty();

      create(topic, 1);
      send(topic, 0, "x");

      assertThat(values(follower.readNew(kafka.endOffsets(topic).keySet()))).containsExactly("x");
    }
  }

  @Test
  void aReaderPastTheEndOfATopicCreatedAgainStartsOverAndSaysSo() throws Exception {
    String topic = "follower-recreated";
    create(topic, 1);
    send(topic, 0, "old-1", "old-2", "old-3");
    try (KafkaContents kafka = new KafkaContents(KAFKA.bootstrapServers(), TIMEOUT);
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()));
        TopicFollower follower = kafka.follow(topic, "read_committed")) {
      assertThat(values(follower.readNew(kafka.endOffsets(topic).keySet()))).hasSize(3);

      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      awaitGone(kafka, topic);
      create(topic, 1);
      send(topic, 0, "new-1");

      TopicFollower.Increment after = follower.readNew(kafka.endOffsets(topic).keySet());
      assertThat(after.fromStart()).isTrue();
      assertThat(values(after)).containsExactly("new-1");
    }
  }

  private static void awaitGone(KafkaContents kafka, String topic) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.multipliedBy(3).toNanos();
    while (!kafka.endOffsets(topic).isEmpty()) {
      assertThat(System.nanoTime()).as("%s deleted", topic).isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
