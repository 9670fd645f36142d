package org.keystonesandbox.stream.it;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaExtension;

/** The stream job's contract on the in-process KRaft broker: runs wherever Java runs. */
class StreamJobEmbeddedKafkaIT extends StreamJobAgainstBrokerContract {
  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @Override
  String bootstrapServers() {
    return KAFKA.bootstrapServers();
  }
}
