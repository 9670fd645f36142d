package org.keystonesandbox.ingest;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** The broker check against the {@code apache/kafka} image; skipped where Docker is missing. */
@Testcontainers(disabledWithoutDocker = true)
class GeneratorKafkaContainerIT extends GeneratorAgainstBrokerContract {

  @Container
  static final KafkaContainer KAFKA =
      new KafkaContainer(
          DockerImageName.parse(System.getProperty("kafka.image", "apache/kafka:4.2.1")));

  @Override
  String bootstrapServers() {
    return KAFKA.getBootstrapServers();
  }
}
