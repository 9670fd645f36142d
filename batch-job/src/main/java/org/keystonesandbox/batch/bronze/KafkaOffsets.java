package org.keystonesandbox.batch.bronze;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.spark.sql.Column;
import org.keystonesandbox.events.topics.KafkaUnavailableException;

/**
 * Next offsets to read, per partition of one topic, in the JSON form Spark's Kafka source takes
 * ({@code {"topic":{"0":42,"1":17}}}).
 */
public record KafkaOffsets(String topic, SortedMap<Integer, Long> next) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public KafkaOffsets {
    next = new TreeMap<>(next);
  }

  public static KafkaOffsets none(String topic) {
    return new KafkaOffsets(topic, new TreeMap<>());
  }

  public static KafkaOffsets parse(String json) {
    try {
      Map<String, Map<String, Long>> byTopic = JSON.readValue(json, new TypeReference<>() {});
      if (byTopic.size() != 1) {
        throw new IllegalArgumentException("expected offsets of one topic: " + json);
      }
      Map.Entry<String, Map<String, Long>> only = byTopic.entrySet().iterator().next();
      SortedMap<Integer, Long> next = new TreeMap<>();
      only.getValue().forEach((partition, offset) -> next.put(Integer.valueOf(partition), offset));
      return new KafkaOffsets(only.getKey(), next);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("unreadable offsets " + json, e);
    }
  }

  public String json() {
    Map<String, Long> partitions =
        next.entrySet().stream()
            .collect(
                Collectors.toMap(
                    e -> e.getKey().toString(), Map.Entry::getValue, (a, b) -> a, TreeMap::new));
    try {
      return JSON.writeValueAsString(Map.of(topic, partitions));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Rows (with {@code kafka_partition} and {@code kafka_offset} columns) at or beyond these
   * offsets, or of a partition they do not name: the records not read before.
   */
  public Column notReadYet() {
    Column partition = col("kafka_partition");
    Column beyond =
        next.isEmpty() ? lit(true) : partition.isin(next.keySet().toArray()).unary_$bang();
    for (Map.Entry<Integer, Long> p : next.entrySet()) {
      beyond = beyond.or(partition.equalTo(p.getKey()).and(col("kafka_offset").geq(p.getValue())));
    }
    return beyond;
  }

  /** The offset to read next in {@code partition}; 0 where nothing was read yet. */
  public long nextIn(int partition) {
    return next.getOrDefault(partition, 0L);
  }

  /** Per partition, the smaller of the two: where a reader serving both must start. */
  public KafkaOffsets min(KafkaOffsets other, Iterable<Integer> partitions) {
    SortedMap<Integer, Long> min = new TreeMap<>();
    for (int partition : partitions) {
      min.put(partition, Math.min(nextIn(partition), other.nextIn(partition)));
    }
    return new KafkaOffsets(topic, min);
  }

  public boolean sameAs(KafkaOffsets other, Iterable<Integer> partitions) {
    for (int partition : partitions) {
      if (nextIn(partition) != other.nextIn(partition)) {
        return false;
      }
    }
    return true;
  }

  public long recordsUpTo(KafkaOffsets end) {
    long records = 0;
    for (Map.Entry<Integer, Long> partition : end.next.entrySet()) {
      records += partition.getValue() - nextIn(partition.getKey());
    }
    return records;
  }

  /** The topic's current end offsets, asked of the broker. */
  public static KafkaOffsets endOf(String bootstrapServers, String topic, Duration timeout) {
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(config)) {
      TopicDescription description =
          admin
              .describeTopics(List.of(topic))
              .topicNameValues()
              .get(topic)
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Map<TopicPartition, OffsetSpec> latest =
          description.partitions().stream()
              .map(TopicPartitionInfo::partition)
              .collect(
                  Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
      SortedMap<Integer, Long> end = new TreeMap<>();
      admin
          .listOffsets(latest)
          .all()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .forEach((tp, info) -> end.put(tp.partition(), info.offset()));
      return new KafkaOffsets(topic, end);
    } catch (TimeoutException e) {
      throw new KafkaUnavailableException(
          "no answer from Kafka at " + bootstrapServers + " within " + timeout, e);
    } catch (ExecutionException e) {
      throw new KafkaUnavailableException(
          "cannot read the end offsets of "
              + topic
              + " at "
              + bootstrapServers
              + ": "
              + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
