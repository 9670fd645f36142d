package org.keystonesandbox.stream.cli;

import java.time.Duration;
import org.keystonesandbox.cli.BootstrapServerOption;
import org.keystonesandbox.cli.StreamTopicsOptions;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.stream.KafkaSettings;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where the job reads and writes: the flags of {@link KafkaSettings}. */
public final class KafkaOptions {
  @Mixin BootstrapServerOption bootstrap;

  @Mixin StreamTopicsOptions topics;

  @Option(
      names = "--group-id",
      defaultValue = PipelineNames.STREAM_JOB_GROUP,
      description = "consumer group, for committed offsets and lag (default: ${DEFAULT-VALUE})")
  String groupId;

  @Option(
      names = "--bounded",
      description = "stop at the topic's end as of start-up instead of running forever")
  boolean bounded;

  @Option(
      names = "--output-partitions",
      defaultValue = "4",
      description = "partitions of an output topic the job creates (default: ${DEFAULT-VALUE})")
  int outputPartitions;

  @Option(
      names = "--transactional-id-prefix",
      defaultValue = PipelineNames.STREAM_JOB_GROUP,
      description = "unique per deployment of the job (default: ${DEFAULT-VALUE})")
  String transactionalIdPrefix;

  @Option(
      names = "--transaction-timeout",
      defaultValue = "10m",
      description = "Kafka transaction timeout, at most 15m (default: ${DEFAULT-VALUE})")
  Duration transactionTimeout;

  @Option(
      names = "--from-earliest",
      description =
          "without a checkpoint to resume from: read the topic from its start, rebuilding all"
              + " state, even if the group has committed offsets")
  boolean fromEarliest;

  @Option(
      names = "--from-committed",
      description =
          "without a checkpoint to resume from: start at the group's committed offsets, accepting"
              + " sessions split there and remembered ids forgotten")
  boolean fromCommitted;

  public KafkaSettings settings() {
    if (fromEarliest && fromCommitted) {
      throw new IllegalArgumentException("--from-earliest and --from-committed exclude each other");
    }
    return new KafkaSettings(
        bootstrap.bootstrapServers(),
        topics.events(),
        topics.sessions(),
        topics.late(),
        topics.deadLetters(),
        groupId,
        bounded,
        outputPartitions,
        transactionalIdPrefix,
        transactionTimeout,
        fromEarliest
            ? KafkaSettings.StartingPoint.EARLIEST
            : fromCommitted
                ? KafkaSettings.StartingPoint.COMMITTED
                : KafkaSettings.StartingPoint.REFUSE_COMMITTED);
  }
}
