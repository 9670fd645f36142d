package org.keystonesandbox.batch.cli;

import java.time.Duration;
import org.keystonesandbox.batch.bronze.BronzeJob;
import org.keystonesandbox.events.names.PipelineNames;
import picocli.CommandLine.Option;

final class BronzeOptions {
  @Option(
      names = {"-b", "--bootstrap-server"},
      defaultValue = "localhost:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
  String bootstrapServers;

  @Option(
      names = "--topic",
      defaultValue = PipelineNames.EVENTS_TOPIC,
      description = "the events topic (default: ${DEFAULT-VALUE})")
  String topic;

  @Option(
      names = "--kafka-timeout",
      defaultValue = "30s",
      description = "how long to wait for Kafka (default: ${DEFAULT-VALUE})")
  Duration kafkaTimeout;

  BronzeJob.Settings settings() {
    return new BronzeJob.Settings(bootstrapServers, topic, kafkaTimeout, BronzeJob.Crash.NONE);
  }
}
