package org.keystonesandbox.sandbox.status;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** End offsets of topics and a consumer group's committed offsets: how far each reader got. */
public final class KafkaProgress implements AutoCloseable {
  private static final long TIMEOUT_SECONDS = 3;
  private final Admin admin;

  public KafkaProgress(String bootstrap) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    this.admin = Admin.create(props);
  }

  /** Next offset per partition; empty if the topic does not exist yet. */
  public Map<Integer, Long> endOffsets(String topic) throws Exception {
    try {
      var described =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      described
          .get(topic)
          .partitions()
          .forEach(p -> specs.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      Map<Integer, Long> ends = new TreeMap<>();
      admin
          .listOffsets(specs)
          .all()
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
      return ends;
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Map.of();
      }
      throw e;
    }
  }

  public Map<Integer, Long> committed(String group, String topic) throws Exception {
    Map<Integer, Long> offsets = new TreeMap<>();
    Map<TopicPartition, OffsetAndMetadata> all =
        admin
            .listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata()
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    all.forEach(
        (tp, o) -> {
          if (tp.topic().equals(topic) && o != null) {
            offsets.put(tp.partition(), o.offset());
          }
        });
    return offsets;
  }

  /** Records in {@code end} not yet reached by {@code read}. */
  public static long lag(Map<Integer, Long> end, Map<Integer, Long> read) {
    long lag = 0;
    for (Map.Entry<Integer, Long> e : end.entrySet()) {
      lag += Math.max(0, e.getValue() - read.getOrDefault(e.getKey(), 0L));
    }
    return lag;
  }

  public static long total(Map<Integer, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
  }
}
