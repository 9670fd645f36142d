package org.keystonesandbox.ingest;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaExtension;

/** The broker check on the in-process KRaft broker: runs everywhere, no Docker needed. */
class GeneratorEmbeddedKafkaIT extends GeneratorAgainstBrokerContract {

  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @Override
  String bootstrapServers() {
    return KAFKA.bootstrapServers();
  }
}
