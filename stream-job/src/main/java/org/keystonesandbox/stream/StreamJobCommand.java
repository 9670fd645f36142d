package org.keystonesandbox.stream;

import java.io.File;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.keystonesandbox.cli.CommandLines;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.stream.cli.KafkaOptions;
import org.keystonesandbox.stream.cli.LakeOptions;
import org.keystonesandbox.stream.cli.RuntimeOptions;
import org.keystonesandbox.stream.cli.SessionOptions;
import org.keystonesandbox.stream.cli.WatermarkOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The stream job's command line: flags, then {@link StreamJobSettings}, then {@link StreamJob}.
 *
 * <pre>
 * java -jar stream-job/target/keystone-stream-job.jar --bootstrap-server localhost:9092
 * flink run stream-job/target/keystone-stream-job.jar --bootstrap-server kafka:9092
 * </pre>
 *
 * Exit status ({@link ExitCodes}): 0 done, 2 bad flags, 3 Kafka unreachable or a file unreadable, 5
 * the job failed; Ctrl-C cancels the job and ends with the shell's 130.
 */
@Command(
    name = StreamJobCommand.NAME,
    mixinStandardHelpOptions = true,
    version = "keystone-stream-job 0.1.0",
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Validates, deduplicates and sessionizes viewing events in event time (Flink), writing",
      "sessions, late events and dead letters to Kafka exactly once; with --lake-sessions, the",
      "sessions also to an Iceberg table."
    },
    footer = {
      "",
      "Durations: 500ms, 30s, 5m, 2h, 7d. Any flag can also be an entry of --config FILE",
      "(a properties file: session-gap=45m). Any Flink option: --flink-conf KEY=VALUE.",
      ExitCodes.HELP_FOOTER
    })
public final class StreamJobCommand implements Callable<Integer> {
  static final String NAME = StreamJobPipeline.JOB_NAME;

  @Option(
      names = "--config",
      description = "properties file with defaults for any of these flags (key = flag name)")
  File config;

  @Mixin KafkaOptions kafka;
  @Mixin WatermarkOptions watermarks;
  @Mixin SessionOptions sessions;
  @Mixin RuntimeOptions runtime;
  @Mixin LakeOptions lake;

  @Option(
      names = "--fresh",
      description = "with --checkpoint-dir: ignore the checkpoints found there")
  boolean fresh;

  @Option(
      names = "--progress-interval",
      defaultValue = "10s",
      description = "how often to print the counters (default: ${DEFAULT-VALUE})")
  Duration progressInterval;

  private final PrintStream out;
  private final PrintStream err;

  StreamJobCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    CommandLines.useLogConfiguration("stream-job-log4j2.xml");
    System.exit(new StreamJobCommand(System.out, System.err).commandLine(args).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    new StreamJob(out, err).run(CommandLines.settings(this::settings), fresh, progressInterval);
    return ExitCodes.OK;
  }

  /** The settings that {@code args} describe, for tests and launchers. */
  public static StreamJobSettings parseSettings(String... args) {
    StreamJobCommand command = new StreamJobCommand(System.out, System.err);
    command.commandLine(args).parseArgs(args);
    return command.settings();
  }

  /** The project's command line, with {@code --config} supplying defaults. */
  CommandLine commandLine(String[] args) {
    CommandLine cli = CommandLines.create(this, NAME, "the job failed", out, err);
    configFile(args)
        .ifPresent(
            file -> cli.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(file)));
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
    return new StreamJobSettings(
        kafka.settings(),
        watermarks.settings(),
        sessions.settings(),
        runtime.settings(),
        lake.settings());
  }
}
