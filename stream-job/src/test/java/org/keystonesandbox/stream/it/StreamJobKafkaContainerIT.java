package org.keystonesandbox.stream.it;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** The stream job's contract against the {@code apache/kafka} image; skipped without Docker. */
@Testcontainers(disabledWithoutDocker = true)
class StreamJobKafkaContainerIT extends StreamJobAgainstBrokerContract {

  @Container
  static final KafkaContainer KAFKA =
      new KafkaContainer(
          DockerImageName.parse(System.getProperty("kafka.image", "apache/kafka:4.2.1")));

  @Override
  String bootstrapServers() {
    return KAFKA.getBootstrapServers();
  }
}
