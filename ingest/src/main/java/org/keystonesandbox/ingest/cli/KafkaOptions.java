package org.keystonesandbox.ingest.cli;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.keystonesandbox.cli.BootstrapServerOption;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.ingest.KafkaSettings;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where and how the generator writes: the flags of {@link KafkaSettings}. */
public final class KafkaOptions {
  @Mixin BootstrapServerOption bootstrap;

  @Option(
      names = {"-t", "--topic"},
      defaultValue = PipelineNames.EVENTS_TOPIC,
      description = "topic, created if missing (default: ${DEFAULT-VALUE})")
  String topic;

  @Option(
      names = "--partitions",
      defaultValue = "4",
      description = "partitions of a new topic (default: ${DEFAULT-VALUE})")
  int partitions;

  @Option(
      names = "--replication-factor",
      defaultValue = "1",
      description = "replication of a new topic (default: ${DEFAULT-VALUE})")
  short replicationFactor;

  @Option(
      names = "--compression",
      defaultValue = "lz4",
      description =
          "producer compression: none, gzip, snappy, lz4, zstd (default: ${DEFAULT-VALUE})")
  String compression;

  @Option(
      names = "--linger-ms",
      defaultValue = "20",
      description = "producer linger.ms (default: ${DEFAULT-VALUE})")
  int lingerMs;

  @Option(
      names = "--batch-size",
      defaultValue = "262144",
      description = "producer batch.size in bytes (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(
      names = "--producer-property",
      paramLabel = "KEY=VALUE",
      description = "any other producer setting (repeatable)")
  Map<String, String> producerProperties = new LinkedHashMap<>();

  @Option(
      names = "--connect-timeout",
      defaultValue = "10s",
      description = "give up on an unreachable broker after this (default: ${DEFAULT-VALUE})")
  Duration connectTimeout;

  public KafkaSettings settings() {
    Map<String, String> producer = new HashMap<>();
    producer.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    producer.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs));
    producer.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(batchSize));
    producer.putAll(producerProperties);
    return new KafkaSettings(
        bootstrap.bootstrapServers(),
        topic,
        partitions,
        replicationFactor,
        connectTimeout,
        producer);
  }
}
