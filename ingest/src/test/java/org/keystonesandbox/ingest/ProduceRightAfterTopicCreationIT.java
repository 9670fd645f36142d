package org.keystonesandbox.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.keystonesandbox.events.topics.TopicProvisioner;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaExtension;

/**
 * The generator's producer (idempotent, acks=all, several requests in flight) sending the moment
 * {@link TopicProvisioner} has created its topic, on many fresh topics with small batches: every
 * record is delivered. Before the provisioner waited for each partition to be served, a request
 * refused while the broker applied the new topic failed for ever once the next one was appended,
 * and its records were lost (in every run of this test, on 3 to 6 of its 40 topics).
 */
class ProduceRightAfterTopicCreationIT {
  private static final int TOPICS = 40;
  private static final int PARTITIONS = 4;
  private static final int RECORDS = 2000;

  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @Test
  void everyRecordSentRightAfterTheTopicIsCreatedIsDelivered() throws Exception {
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    for (int round = 0; round < TOPICS; round++) {
      String topic = "fresh-" + round;
      TopicProvisioner.ensureTopic(
          KAFKA.bootstrapServers(), topic, PARTITIONS, (short) 1, Duration.ofSeconds(30));
      Properties props = new Properties();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      // small batches sent at once: several requests in flight per partition from the start
      props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
      props.put(ProducerConfig.BATCH_SIZE_CONFIG, "512");
      // a batch that cannot be appended expires in seconds, not in the default two minutes
      props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
      props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "6000");
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < RECORDS; i++) {
          producer.send(
              new ProducerRecord<>(topic, i % PARTITIONS, null, new byte[100]),
              (metadata, e) -> {
                if (e != null) {
                  failures.add(topic + ": " + e);
                }
              });
        }
        producer.flush();
      }
    }
    assertThat(failures.size())
        .as("records not delivered, the first: %s", failures.peek())
        .isZero();
  }
}
