package org.keystonesandbox.batch.cli;

import java.time.Duration;
import org.keystonesandbox.batch.bronze.BronzeJob;
import org.keystonesandbox.cli.BootstrapServerOption;
import org.keystonesandbox.events.names.PipelineNames;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

final class BronzeOptions {
  @Mixin BootstrapServerOption bootstrap;

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
    return new BronzeJob.Settings(
        bootstrap.bootstrapServers(), topic, kafkaTimeout, BronzeJob.Crash.NONE);
  }
}
