package org.keystonesandbox.verify;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.keystonesandbox.events.topics.KafkaUnavailableException;

/** What the verifier reads from Kafka: end offsets, a group's committed offsets, whole topics. */
public final class KafkaContents implements AutoCloseable {
  private final String bootstrap;
  private final Duration timeout;
  private final Admin admin;

  public KafkaContents(String bootstrap, Duration timeout) {
    this.bootstrap = bootstrap;
    this.timeout = timeout;
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    this.admin = Admin.create(props);
  }

  /** Next offset per partition of {@code topic}, by partition; empty if the topic is missing. */
  public Map<Integer, Long> endOffsets(String topic) {
    return offsets(topic, OffsetSpec.latest());
  }

  /**
   * The first offset still held per partition of {@code topic} (the log start offset: above 0 once
   * retention deleted records), by partition; empty if the topic is missing.
   */
  public Map<Integer, Long> startOffsets(String topic) {
    return offsets(topic, OffsetSpec.earliest());
  }

  private Map<Integer, Long> offsets(String topic, OffsetSpec spec) {
    try {
      var description =
          admin.describeTopics(List.of(topic)).allTopicNames().get(seconds(), TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      description
          .get(topic)
          .partitions()
          .forEach(p -> specs.put(new TopicPartition(topic, p.partition()), spec));
      Map<TopicPartition, ListOffsetsResultInfo> ends =
          admin.listOffsets(specs).all().get(seconds(), TimeUnit.SECONDS);
      Map<Integer, Long> result = new TreeMap<>();
      ends.forEach((tp, info) -> result.put(tp.partition(), info.offset()));
      return result;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
        return Map.of();
      }
      throw unavailable(e);
    } catch (TimeoutException e) {
      throw unavailable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(e);
    }
  }

  /** The offsets {@code group} committed for {@code topic}, by partition (none: empty). */
  public Map<Integer, Long> committedOffsets(String group, String topic) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(seconds(), TimeUnit.SECONDS);
      Map<Integer, Long> result = new TreeMap<>();
      committed.forEach(
          (tp, offset) -> {
            if (tp.topic().equals(topic) && offset != null) {
              result.put(tp.partition(), offset.offset());
            }
          });
      return result;
    } catch (ExecutionException | TimeoutException e) {
      throw unavailable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(e);
    }
  }

  /** Every committed record of {@code topic}, as a {@code read_committed} consumer sees them. */
  public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
    return read(topic, "read_committed");
  }

  /**
   * Every record of {@code topic} a {@code read_uncommitted} consumer sees: those of aborted and of
   * still open transactions too.
   */
  public List<ConsumerRecord<byte[], byte[]>> readUncommitted(String topic) {
    return read(topic, "read_uncommitted");
  }

  private List<ConsumerRecord<byte[], byte[]>> read(String topic, String isolationLevel) {
    try (TopicFollower reader = follow(topic, isolationLevel)) {
      return reader.readNew(endOffsets(topic).keySet()).records();
    }
  }

  /**
   * A reader of {@code topic} that returns, each time, the records added since its last read; pass
   * it the topic's partitions ({@link #endOffsets}' keys).
   */
  public TopicFollower follow(String topic, String isolationLevel) {
    return new TopicFollower(bootstrap, topic, isolationLevel, timeout);
  }

  private long seconds() {
    return Math.max(1, timeout.toSeconds());
  }

  private KafkaUnavailableException unavailable(Exception e) {
    return new KafkaUnavailableException(
        "cannot reach Kafka at " + bootstrap + " within " + timeout.toSeconds() + "s", e);
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
