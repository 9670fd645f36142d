package org.keystonesandbox.stream.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.keystonesandbox.events.topics.KafkaUnavailableException;
import org.keystonesandbox.events.topics.TopicProvisioner;
import org.keystonesandbox.stream.KafkaSettings;
import org.keystonesandbox.stream.topology.IncomingRecord;

/** The job's Kafka source and its exactly-once sinks. */
public final class KafkaWiring {
  private KafkaWiring() {}

  /**
   * Reads the events topic from its earliest offsets, or from the group's committed offsets (the
   * earliest where there are none) as {@link KafkaSettings#start()} says. Offsets are committed to
   * Kafka at each checkpoint, for lag monitoring; recovery uses the offsets stored in the
   * checkpoint itself.
   */
  @SuppressWarnings("deprecation") // OffsetResetStrategy: the connector's API still takes it
  public static KafkaSource<IncomingRecord> source(KafkaSettings settings) {
    var builder =
        KafkaSource.<IncomingRecord>builder()
            .setBootstrapServers(settings.bootstrapServers())
            .setTopics(settings.eventsTopic())
            .setGroupId(settings.groupId())
            .setStartingOffsets(
                settings.start() == KafkaSettings.StartingPoint.EARLIEST
                    ? OffsetsInitializer.earliest()
                    : OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
            .setDeserializer(new IncomingRecordDeserializer())
            .setProperty("partition.discovery.interval.ms", "10000")
            .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    if (settings.bounded()) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  /**
   * A transactional sink: records become visible to {@code read_committed} consumers when the
   * checkpoint that covers them completes.
   */
  public static <T> KafkaSink<T> exactlyOnceSink(
      KafkaSettings settings, String name, KafkaRecordSerializationSchema<T> serializer) {
    return KafkaSink.<T>builder()
        .setBootstrapServers(settings.bootstrapServers())
        .setRecordSerializer(serializer)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(settings.transactionalIdPrefix() + "-" + name)
        // A fixed pool of transactional ids instead of a new one (and a new producer
        // initialisation) per checkpoint; lingering transactions are found by listing them.
        .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
        .setProperty(
            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
            Long.toString(settings.transactionTimeout().toMillis()))
        .setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
        // Nothing is visible before the checkpoint commits, so waiting to fill batches costs no
        // latency; sent one by one, the sparse late and dead-letter records cost the broker a
        // produce request each (a fifth of the full job's CPU in the benchmark, before this).
        .setProperty(ProducerConfig.LINGER_MS_CONFIG, "200")
        .build();
  }

  /** Whether the job's group has committed offsets on the events topic. */
  public static boolean hasCommittedOffsets(KafkaSettings settings, Duration timeout) {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                settings.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) timeout.toMillis(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                (int) timeout.toMillis()))) {
      return admin
          .listConsumerGroupOffsets(settings.groupId())
          .partitionsToOffsetAndMetadata()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .entrySet()
          .stream()
          .anyMatch(e -> e.getKey().topic().equals(settings.eventsTopic()) && e.getValue() != null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the group's offsets", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaUnavailableException(
          "cannot read the committed offsets of group "
              + settings.groupId()
              + " at "
              + settings.bootstrapServers()
              + " within "
              + timeout.toSeconds()
              + "s",
          e);
    }
  }

  /** Creates the output topics that are missing (infinite retention, like the events topic). */
  public static void ensureOutputTopics(KafkaSettings settings, Duration timeout) {
    TopicProvisioner.ensureTopics(
        settings.bootstrapServers(),
        List.of(settings.sessionsTopic(), settings.lateEventsTopic(), settings.deadLetterTopic()),
        settings.outputPartitions(),
        (short) 1,
        timeout);
  }
}
