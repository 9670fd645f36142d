package org.keystonesandbox.stream.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.keystonesandbox.stream.topology.LateEvent;

/** Late events as JSON, keyed by user like the events topic. */
public class LateEventSerializer extends SingleTopicSerializer<LateEvent> {
  public LateEventSerializer(String topic) {
    super(topic);
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      LateEvent event, KafkaSinkContext context, Long timestamp) {
    return new ProducerRecord<>(
        topic, event.userId.getBytes(StandardCharsets.UTF_8), OutputJson.write(event));
  }
}
