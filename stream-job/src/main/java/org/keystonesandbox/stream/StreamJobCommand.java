package org.keystonesandbox.stream;

import java.io.File;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.keystonesandbox.events.Durations;
import org.keystonesandbox.events.topics.KafkaUnavailableException;
import org.keystonesandbox.stream.RuntimeSettings.StateBackend;
import org.keystonesandbox.stream.kafka.KafkaWiring;
import org.keystonesandbox.stream.topology.SessionSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The stream job's command line.
 *
 * <pre>
 * java -jar stream-job/target/keystone-stream-job.jar --bootstrap-server localhost:9092
 * flink run stream-job/target/keystone-stream-job.jar --bootstrap-server kafka:9092
 * </pre>
 *
 * Started with {@code java -jar}, the job runs on its own Flink MiniCluster and serves Flink's web
 * UI on {@code --web-ui-port}; started by {@code flink run}, it is submitted to that cluster. It
 * prints its counters (parsed, malformed, duplicates dropped, late, sessions out) every {@code
 * --progress-interval} to stderr and the totals when a {@code --bounded} run ends. With {@code
 * --checkpoint-dir}, checkpoints outlive the process and a restart resumes from the newest one.
 * Exit status: 0 done or stopped by Ctrl-C, 1 the job failed, 2 bad flags, 3 Kafka unreachable.
 */
@Command(
    name = "keystone-stream-job",
    mixinStandardHelpOptions = true,
    version = "keystone-stream-job 0.1.0",
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Validates, deduplicates and sessionizes viewing events in event time (Flink), writing",
      "sessions, late events and dead letters to Kafka exactly once."
    },
    footer = {
      "",
      "Durations: 500ms, 30s, 5m, 2h, 7d. Any flag can also be an entry of --config FILE",
      "(a properties file: session-gap=45m). Any Flink option: --flink-conf KEY=VALUE."
    })
public final class StreamJobCommand implements Callable<Integer> {
  static final int EXIT_OK = 0;
  static final int EXIT_JOB_FAILED = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_SETUP = 3;
  static final String LOCAL_CHECKPOINT_DIR = "data/stream-job/checkpoints";

  @Option(
      names = "--config",
      description = "properties file with defaults for any of these flags (key = flag name)")
  File config;

  @Option(
      names = {"-b", "--bootstrap-server"},
      defaultValue = "localhost:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
  String bootstrapServers;

  @Option(
      names = "--events-topic",
      defaultValue = "viewing-events",
      description = "input topic (default: ${DEFAULT-VALUE})")
  String eventsTopic;

  @Option(
      names = "--sessions-topic",
      defaultValue = "viewing-sessions",
      description = "sessions, an upsert log keyed by user (default: ${DEFAULT-VALUE})")
  String sessionsTopic;

  @Option(
      names = "--late-topic",
      defaultValue = "late-events",
      description = "events later than the allowed lateness (default: ${DEFAULT-VALUE})")
  String lateTopic;

  @Option(
      names = "--dlq-topic",
      defaultValue = "events-dlq",
      description = "malformed records, unchanged, reason in headers (default: ${DEFAULT-VALUE})")
  String deadLetterTopic;

  @Option(
      names = "--group-id",
      defaultValue = "keystone-stream-job",
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
      defaultValue = "keystone-stream-job",
      description = "unique per deployment of the job (default: ${DEFAULT-VALUE})")
  String transactionalIdPrefix;

  @Option(
      names = "--transaction-timeout",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description = "Kafka transaction timeout, at most 15m (default: ${DEFAULT-VALUE})")
  Duration transactionTimeout;

  @Option(
      names = "--out-of-orderness",
      defaultValue = "1m",
      converter = DurationConverter.class,
      description = "watermark delay behind the largest event time (default: ${DEFAULT-VALUE})")
  Duration outOfOrderness;

  @Option(
      names = "--idleness",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "wall time after which a silent partition no longer holds the watermark; 0s disables"
              + " (default: ${DEFAULT-VALUE})")
  Duration idleness;

  @Option(
      names = "--session-gap",
      defaultValue = "30m",
      converter = DurationConverter.class,
      description = "inactivity gap that ends a session (default: ${DEFAULT-VALUE})")
  Duration sessionGap;

  @Option(
      names = "--allowed-lateness",
      defaultValue = "30m",
      converter = DurationConverter.class,
      description =
          "how far behind the watermark an event may still update its session"
              + " (default: ${DEFAULT-VALUE})")
  Duration allowedLateness;

  @Option(
      names = "--dedup-horizon",
      defaultValue = "6h",
      converter = DurationConverter.class,
      description =
          "how long event ids are remembered, in event time; at least the allowed lateness"
              + " (default: ${DEFAULT-VALUE})")
  Duration dedupHorizon;

  @Option(
      names = {"-p", "--parallelism"},
      defaultValue = "2",
      description = "parallelism of every operator (default: ${DEFAULT-VALUE})")
  int parallelism;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description =
          "checkpoint interval; output becomes visible to read_committed consumers at each"
              + " checkpoint (default: ${DEFAULT-VALUE})")
  Duration checkpointInterval;

  @Option(
      names = "--state-backend",
      defaultValue = "hashmap",
      description = "hashmap (on the heap) or rocksdb (default: ${DEFAULT-VALUE})")
  String stateBackend;

  @Option(
      names = "--checkpoint-dir",
      description =
          "folder or URI for checkpoints, kept when the job stops; a restart resumes from the"
              + " newest one found there (default: "
              + LOCAL_CHECKPOINT_DIR
              + " on the local MiniCluster, the cluster's own setting under flink run)")
  String checkpointDir;

  @Option(
      names = "--fresh",
      description = "with --checkpoint-dir: ignore the checkpoints found there")
  boolean fresh;

  @Option(
      names = "--web-ui-port",
      defaultValue = "8081",
      description = "port of Flink's web UI on the local MiniCluster (default: ${DEFAULT-VALUE})")
  int webUiPort;

  @Option(
      names = "--flink-conf",
      paramLabel = "KEY=VALUE",
      description = "any Flink configuration option, e.g. taskmanager.memory.managed.size=1g")
  Map<String, String> flinkConf = new LinkedHashMap<>();

  @Option(
      names = "--progress-interval",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "how often to print the counters (default: ${DEFAULT-VALUE})")
  Duration progressInterval;

  private final PrintStream out;
  private final PrintStream err;

  StreamJobCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "classpath:stream-job-log4j2.xml");
    }
    System.exit(new StreamJobCommand(System.out, System.err).commandLine(args).execute(args));
  }

  /** The settings that {@code args} describe, for tests and launchers. */
  public static StreamJobSettings parseSettings(String... args) {
    StreamJobCommand command = new StreamJobCommand(System.out, System.err);
    command.commandLine(args).parseArgs(args);
    return command.settings();
  }

  /** A command line with this project's one-line error handling and {@code --config} support. */
  CommandLine commandLine(String[] args) {
    CommandLine cli = new CommandLine(this);
    configFile(args)
        .ifPresent(
            file -> cli.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(file)));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("keystone-stream-job: " + ex.getMessage() + " (see --help)");
          return EXIT_USAGE;
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof IllegalArgumentException) {
            err.println("keystone-stream-job: " + ex.getMessage() + " (see --help)");
            return EXIT_USAGE;
          }
          if (ex instanceof KafkaUnavailableException) {
            err.println("keystone-stream-job: " + ex.getMessage());
            return EXIT_SETUP;
          }
          if (ex instanceof ExecutionException) {
            err.println("keystone-stream-job: the job failed: " + rootMessage(ex));
            return EXIT_JOB_FAILED;
          }
          throw ex;
        });
    return cli;
  }

  /** {@code --config} has to be known before parsing, since it supplies the defaults. */
  private static Optional<File> configFile(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        return Optional.of(new File(args[i + 1]));
      }
      if (args[i].startsWith("--config=")) {
        return Optional.of(new File(args[i].substring("--config=".length())));
      }
    }
    return Optional.empty();
  }

  StreamJobSettings settings() {
    if (config != null && !config.isFile()) {
      throw new IllegalArgumentException("config file " + config + " does not exist");
    }
    KafkaSettings kafka =
        new KafkaSettings(
            bootstrapServers,
            eventsTopic,
            sessionsTopic,
            lateTopic,
            deadLetterTopic,
            groupId,
            bounded,
            outputPartitions,
            transactionalIdPrefix,
            transactionTimeout);
    RuntimeSettings runtime =
        new RuntimeSettings(
            parallelism,
            checkpointInterval,
            backend(stateBackend),
            checkpointDir == null ? null : checkpointUri(checkpointDir),
            webUiPort,
            flinkConf);
    return new StreamJobSettings(
        kafka,
        outOfOrderness,
        idleness,
        new SessionSettings(sessionGap, allowedLateness, dedupHorizon),
        runtime);
  }

  private static StateBackend backend(String name) {
    for (StateBackend backend : StateBackend.values()) {
      if (backend.flinkName().equalsIgnoreCase(name)) {
        return backend;
      }
    }
    throw new IllegalArgumentException(
        "unknown state backend '" + name + "': use hashmap or rocksdb");
  }

  /** A plain folder becomes an absolute file URI; URIs pass unchanged. */
  private static String checkpointUri(String dir) {
    return dir.contains("://") ? dir : Paths.get(dir).toAbsolutePath().toUri().toString();
  }

  @Override
  public Integer call() throws Exception {
    StreamJobSettings settings = settings();
    KafkaWiring.ensureOutputTopics(settings.kafka(), Duration.ofSeconds(15));
    Configuration conf = StreamJobPipeline.flinkConfiguration(settings.runtime());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (env instanceof StreamContextEnvironment) {
      err.println("keystone-stream-job: submitting to the Flink cluster of `flink run`");
      env.configure(conf);
    } else {
      if (settings.runtime().checkpointDir() == null) {
        // Without a folder, checkpoints live in the job manager's heap, limited to 5 MB of state.
        StreamJobPipeline.useCheckpointDir(conf, checkpointUri(LOCAL_CHECKPOINT_DIR));
      }
      resumeFromNewestCheckpoint(conf);
      env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
      err.println(
          "keystone-stream-job: local MiniCluster, web UI at http://localhost:"
              + settings.runtime().webUiPort());
    }
    StreamJobPipeline.wire(env, settings);
    JobClient job = env.executeAsync(StreamJobPipeline.JOB_NAME);
    Thread stopper = new Thread(() -> cancelQuietly(job), "keystone-stream-job-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    JobExecutionResult result = awaitWithProgress(job);
    Runtime.getRuntime().removeShutdownHook(stopper);
    out.println(ProgressLine.totals(result.getAllAccumulatorResults()));
    return EXIT_OK;
  }

  private void resumeFromNewestCheckpoint(Configuration conf) {
    String dir = conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
    if (dir == null || !dir.startsWith("file:")) {
      return;
    }
    conf.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    if (fresh || conf.contains(StateRecoveryOptions.SAVEPOINT_PATH)) {
      return;
    }
    Optional<Path> newest = CheckpointFinder.newest(Paths.get(java.net.URI.create(dir)));
    newest.ifPresent(
        checkpoint -> {
          err.println("keystone-stream-job: resuming from " + checkpoint);
          conf.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toString());
          conf.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.NO_CLAIM);
        });
  }

  private JobExecutionResult awaitWithProgress(JobClient job) throws Exception {
    long intervalMs = Math.max(100, progressInterval.toMillis());
    var finished = job.getJobExecutionResult();
    ProgressLine progress = new ProgressLine();
    while (true) {
      try {
        return finished.get(intervalMs, TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillRunning) {
        try {
          err.println(progress.next(job.getAccumulators().get(5, TimeUnit.SECONDS)));
        } catch (TimeoutException | ExecutionException notYet) {
          err.println("keystone-stream-job: " + job.getJobStatus().get() + "...");
        }
      }
    }
  }

  private static void cancelQuietly(JobClient job) {
    try {
      job.cancel().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the process is exiting anyway; uncommitted transactions are aborted on the next start
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /** Durations in the sandbox's syntax. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
