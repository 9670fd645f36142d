package org.keystonesandbox.batch.it;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** The batch pipeline's contract against the {@code apache/kafka} image; skipped without Docker. */
@Testcontainers(disabledWithoutDocker = true)
class BatchPipelineKafkaContainerIT extends BatchPipelineAgainstBrokerContract {

  @Container
  static final KafkaContainer KAFKA =
      new KafkaContainer(
          DockerImageName.parse(System.getProperty("kafka.image", "apache/kafka:4.2.1")));

  @Override
  String bootstrapServers() {
    return KAFKA.getBootstrapServers();
  }
}
