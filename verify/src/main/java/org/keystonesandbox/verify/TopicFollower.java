package org.keystonesandbox.verify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.keystonesandbox.events.topics.KafkaUnavailableException;

/**
 * Reads a topic to its end again and again, each time only the records added since the last read: a
 * verifier that checks every few seconds does not read whole topics each time. If the topic started
 * over (deleted and created again, or records expired under the reader), the next read starts from
 * the beginning and says so.
 */
public final class TopicFollower implements AutoCloseable {
  /** What one read found; {@code fromStart}: forget what earlier reads returned. */
  public record Increment(boolean fromStart, List<ConsumerRecord<byte[], byte[]>> records) {}

  private final String bootstrap;
  private final String topic;
  private final Duration timeout;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Set<TopicPartition> assigned = new LinkedHashSet<>();
  private boolean readBefore;

  /**
   * @param isolationLevel {@code read_committed} or {@code read_uncommitted}
   * @param timeout how long one read may take, per 6 (as {@link KafkaContents} waits)
   */
  public TopicFollower(String bootstrap, String topic, String isolationLevel, Duration timeout) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.timeout = timeout;
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A position that is no longer valid must be noticed, not silently moved.
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * The records added since the last read, up to the end a consumer of this isolation level sees.
   *
   * @param partitions the topic's partitions now (none while the topic does not exist)
   */
  public Increment readNew(Set<Integer> partitions) {
    boolean fromStart = !readBefore;
    readBefore = true;
    List<TopicPartition> added = new ArrayList<>();
    for (int p : partitions) {
      TopicPartition tp = new TopicPartition(topic, p);
      if (assigned.add(tp)) {
        added.add(tp);
      }
    }
    if (assigned.isEmpty()) {
      return new Increment(fromStart, List.of());
    }
    if (!added.isEmpty()) {
      consumer.assign(assigned);
      consumer.seekToBeginning(added);
    }
    try {
      if (pastTheEnd()) {
        return new Increment(true, fromTheBeginning());
      }
      return new Increment(fromStart, readToEnd());
    } catch (InvalidOffsetException startedOver) {
      return new Increment(true, fromTheBeginning());
    }
  }

  /** A position beyond the end: the topic was deleted and created again with fewer records. */
  private boolean pastTheEnd() {
    Map<TopicPartition, Long> end = consumer.endOffsets(assigned, timeout);
    return assigned.stream().anyMatch(p -> consumer.position(p, timeout) > end.get(p));
  }

  private List<ConsumerRecord<byte[], byte[]>> fromTheBeginning() {
    consumer.seekToBeginning(assigned);
    return readToEnd();
  }

  private List<ConsumerRecord<byte[], byte[]>> readToEnd() {
    // read_committed stops at the last stable offset; the end offsets themselves may be a
    // transaction marker, so compare with what the consumer says is the end for it.
    Map<TopicPartition, Long> end = consumer.endOffsets(assigned, timeout);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.multipliedBy(6).toNanos();
    while (assigned.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
      if (System.nanoTime() > deadline) {
        throw new KafkaUnavailableException(
            "could not read " + topic + " to its end at " + bootstrap, null);
      }
      consumer.poll(Duration.ofMillis(200)).forEach(records::add);
    }
    return records;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
