package org.keystonesandbox.batch.it;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaExtension;

/** The batch pipeline's contract against the in-process broker: runs without Docker. */
class BatchPipelineEmbeddedKafkaIT extends BatchPipelineAgainstBrokerContract {
  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @Override
  String bootstrapServers() {
    return KAFKA.bootstrapServers();
  }
}
