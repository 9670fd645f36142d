package org.keystonesandbox.stream;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.stream.kafka.DeadLetterSerializer;
import org.keystonesandbox.stream.kafka.KafkaWiring;
import org.keystonesandbox.stream.kafka.LateEventSerializer;
import org.keystonesandbox.stream.kafka.SessionUpdateSerializer;
import org.keystonesandbox.stream.lake.SessionsTable;
import org.keystonesandbox.stream.topology.IncomingRecord;
import org.keystonesandbox.stream.topology.SessionTopology;

/**
 * Wires {@link SessionTopology} between the Kafka source and the three Kafka sinks, and configures
 * Flink as the job needs it.
 */
public final class StreamJobPipeline {
  public static final String JOB_NAME = "keystone-stream-job";

  /** Where the local MiniCluster's web UI listens unless {@code --flink-conf} says otherwise. */
  static final String LOOPBACK = "127.0.0.1";

  private StreamJobPipeline() {}

  /** The Flink configuration the settings describe; {@code --flink-conf} entries win. */
  public static Configuration flinkConfiguration(RuntimeSettings runtime) {
    Configuration conf = new Configuration();
    conf.set(CoreOptions.DEFAULT_PARALLELISM, runtime.parallelism());
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, runtime.checkpointInterval());
    conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    conf.set(StateBackendOptions.STATE_BACKEND, runtime.stateBackend().flinkName());
    if (runtime.stateBackend() == RuntimeSettings.StateBackend.ROCKSDB) {
      // Most lookups are of ids not seen yet: without a Bloom filter each one reads every level.
      conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
      // Each checkpoint uploads the files created since the last one, not the whole database.
      conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    }
    if (runtime.checkpointDir() != null) {
      useCheckpointDir(conf, runtime.checkpointDir());
    }
    // Every type in the job has a Flink serializer; a Kryo fallback would be a bug, so fail loudly.
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    // No function keeps a reference to its input, so chained operators may share objects.
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    conf.addAll(Configuration.fromMap(runtime.flinkConfiguration()));
    return conf;
  }

  /**
   * {@link #flinkConfiguration} and what only the job's own MiniCluster sets: its web UI's port, a
   * web UI (and REST API) that listens on 127.0.0.1 only, and that watches but takes no jars and
   * cancels no jobs, unless {@code --flink-conf} says otherwise ({@code rest.bind-address=0.0.0.0}
   * in a container whose port is published). A job submitted to a cluster sets none of these: they
   * would change the client's target and the cluster's settings.
   */
  public static Configuration localClusterConfiguration(RuntimeSettings runtime) {
    Configuration conf = new Configuration();
    conf.set(RestOptions.PORT, runtime.webUiPort());
    conf.set(RestOptions.BIND_ADDRESS, LOOPBACK);
    conf.set(WebOptions.SUBMIT_ENABLE, false);
    conf.set(WebOptions.CANCEL_ENABLE, false);
    conf.addAll(flinkConfiguration(runtime));
    return conf;
  }

  /**
   * Checkpoints into {@code uri}. Flink 2 ignores the folder unless the storage type is named too,
   * and keeps checkpoints in the job manager's heap (at most 5 MB of state).
   */
  public static void useCheckpointDir(Configuration conf, String uri) {
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, uri);
  }

  /** Adds the job to {@code env}: Kafka source, topology, Kafka sinks, the lake's if asked. */
  public static void wire(StreamExecutionEnvironment env, StreamJobSettings settings) {
    SessionTopology.Outputs outputs = topology(env, KafkaWiring.source(settings.kafka()), settings);
    sinkToKafka(outputs, settings.kafka());
    settings.lake().ifPresent(lake -> SessionsTable.sink(outputs.sessions(), lake));
  }

  /**
   * The job without its Kafka sinks: the records of {@code source}, with the job's event time and
   * watermarks, through {@link SessionTopology}. The job passes its Kafka source; a test can pass
   * an in-memory one and run exactly what the job runs.
   */
  public static SessionTopology.Outputs topology(
      StreamExecutionEnvironment env,
      Source<IncomingRecord, ?, ?> source,
      StreamJobSettings settings) {
    return SessionTopology.sessionize(
        read(env, source, settings),
        settings.sessions(),
        settings.runtime().stateBackend().seenIdsLayout());
  }

  /** Writes the three outputs to their topics, exactly once. */
  public static void sinkToKafka(SessionTopology.Outputs outputs, KafkaSettings kafka) {
    outputs
        .sessions()
        .sinkTo(
            KafkaWiring.exactlyOnceSink(
                kafka, "sessions", new SessionUpdateSerializer(kafka.sessionsTopic())))
        .name("sessions-to-kafka")
        .uid("sessions-sink");
    outputs
        .lateEvents()
        .sinkTo(
            KafkaWiring.exactlyOnceSink(
                kafka, "late", new LateEventSerializer(kafka.lateEventsTopic())))
        .name("late-events-to-kafka")
        .uid("late-events-sink");
    outputs
        .rejected()
        .sinkTo(
            KafkaWiring.exactlyOnceSink(
                kafka, "dlq", new DeadLetterSerializer(kafka.deadLetterTopic())))
        .name("dead-letters-to-kafka")
        .uid("dead-letter-sink");
  }

  /** The events topic, parsed and validated, with event-time timestamps and watermarks. */
  public static DataStream<IncomingRecord> eventsSource(
      StreamExecutionEnvironment env, StreamJobSettings settings) {
    return read(env, KafkaWiring.source(settings.kafka()), settings);
  }

  private static DataStream<IncomingRecord> read(
      StreamExecutionEnvironment env,
      Source<IncomingRecord, ?, ?> source,
      StreamJobSettings settings) {
    WatermarkStrategy<IncomingRecord> watermarks =
        SessionTopology.watermarks(settings.watermarks());
    return env.fromSource(source, watermarks, PipelineNames.EVENTS_TOPIC).uid("events-source");
  }
}
