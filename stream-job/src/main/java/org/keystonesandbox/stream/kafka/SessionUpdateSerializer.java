package org.keystonesandbox.stream.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.keystonesandbox.stream.topology.SessionUpdate;

/** Session updates as JSON, keyed by user so that each user's updates stay in order. */
public class SessionUpdateSerializer extends SingleTopicSerializer<SessionUpdate> {
  public SessionUpdateSerializer(String topic) {
    super(topic);
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      SessionUpdate update, KafkaSinkContext context, Long timestamp) {
    return new ProducerRecord<>(
        topic, update.userId.getBytes(StandardCharsets.UTF_8), OutputJson.write(update));
  }
}
