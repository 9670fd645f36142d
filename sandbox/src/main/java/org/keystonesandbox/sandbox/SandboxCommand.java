package org.keystonesandbox.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.keystonesandbox.cli.BootstrapServerOption;
import org.keystonesandbox.cli.CommandMain;
import org.keystonesandbox.cli.Defaults;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.cli.UsageException;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.sandbox.process.ForegroundJar;
import org.keystonesandbox.sandbox.run.SandboxRun;
import org.keystonesandbox.sandbox.status.SparkRest;
import org.keystonesandbox.sandbox.status.StatusCollector;
import org.keystonesandbox.sandbox.status.StatusServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code java -jar sandbox/target/keystone-sandbox.jar run [flags]}: the whole pipeline on this
 * machine with no Docker (see {@link SandboxRun}); prints a status line per stage every few
 * seconds, serves the status view (default http://localhost:8080), and ends with the verification
 * report; exit code 0 when every stage equals the ground truth exactly, else the verifier's.
 *
 * <p>{@code java -jar keystone-sandbox.jar status [flags]}: the status view alone, for a pipeline
 * running elsewhere (the compose stack's {@code status} service).
 */
@Command(
    name = "keystone-sandbox",
    mixinStandardHelpOptions = true,
    subcommands = {
      SandboxCommand.Run.class,
      SandboxCommand.Status.class,
      SandboxCommand.Lab.class,
      SandboxCommand.Sql.class
    },
    description = "The keystone-sandbox pipeline in one command, and its status view.",
    footer = ExitCodes.HELP_FOOTER)
public final class SandboxCommand implements Callable<Integer> {
  static final String NAME = "keystone-sandbox";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The command's {@code main} and, for tests, its command line. */
  static final CommandMain MAIN =
      new CommandMain(
          NAME, "the run failed", "sandbox-log4j2.xml", (out, err) -> new SandboxCommand());

  public static void main(String[] args) {
    MAIN.run(args);
  }

  /** The folder of the built jars: {@code --home}, or the checkout or image of this jar. */
  static Path home(Path flag) {
    return flag == null ? Jars.homeOf(SandboxCommand.class) : flag;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCodes.USAGE;
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description =
          "Runs broker, generator, Flink job and Spark chain as local processes; on its own end"
              + " (--count, --duration) or Ctrl-C, drains them and verifies every stage.",
      footer = ExitCodes.HELP_FOOTER)
  static final class Run implements Callable<Integer> {
    @Option(
        names = "--data-dir",
        defaultValue = "data",
        description = "everything the run keeps (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(
        names = "--fresh",
        description = "delete the data folder first instead of continuing it")
    boolean fresh;

    @Option(
        names = {"-n", "--count"},
        description = "unique events to generate, then drain and verify")
    Long count;

    @Option(names = "--duration", description = "wall time to generate for, then drain and verify")
    Duration duration;

    @Option(
        names = "--rate",
        defaultValue = "2000",
        description = "records per second (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(
        names = "--generator-args",
        description = "more generator flags, e.g. \"--late-rate 0.05\"")
    String generatorArgs;

    @Option(
        names = "--stream-args",
        description = "more stream-job flags, e.g. \"--allowed-lateness 10m\"")
    String streamArgs;

    @Option(
        names = "--batch-args",
        description = "more chain flags, e.g. \"--join-strategy salted\"")
    String batchArgs;

    @Option(
        names = "--kafka-port",
        defaultValue = "9092",
        description = "(default: ${DEFAULT-VALUE})")
    int kafkaPort;

    @Option(
        names = "--flink-ui-port",
        defaultValue = "8081",
        description = "(default: ${DEFAULT-VALUE})")
    int flinkUiPort;

    @Option(
        names = "--spark-ui-port",
        defaultValue = Defaults.SPARK_UI_PORT,
        description = "0 for none (default: ${DEFAULT-VALUE})")
    int sparkUiPort;

    @Option(
        names = "--status-port",
        defaultValue = "8080",
        description = "the status view; -1 for none (default: ${DEFAULT-VALUE})")
    int statusPort;

    @Option(
        names = "--bind",
        defaultValue = "127.0.0.1",
        description =
            "the status view's address; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(
        names = "--chain-interval",
        defaultValue = "20s",
        description = "time between chain runs (default: ${DEFAULT-VALUE})")
    Duration chainInterval;

    @Option(
        names = "--status-every",
        defaultValue = "5s",
        description = "time between status lines (default: ${DEFAULT-VALUE})")
    Duration statusEvery;

    @Option(
        names = "--drain-timeout",
        defaultValue = "10m",
        description =
            "how long the jobs may take to catch up at the end (default: ${DEFAULT-VALUE})")
    Duration drainTimeout;

    @Option(
        names = "--verify-timeout",
        defaultValue = "10m",
        description =
            "how long the verifier may take; it is stopped after that (default: ${DEFAULT-VALUE})")
    Duration verifyTimeout;

    @Option(
        names = "--keep-serving",
        description = "after the report, keep the status view up (frozen at the end) until Ctrl-C")
    boolean keepServing;

    @Option(names = "--home", description = "folder with the built jars (default: this checkout)")
    Path home;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** The run the flags describe. */
    SandboxRun.Settings settings() {
      return new SandboxRun.Settings(
          home(home),
          dataDir,
          fresh,
          count,
          duration,
          rate,
          split(generatorArgs),
          split(streamArgs),
          split(batchArgs),
          kafkaPort,
          flinkUiPort,
          sparkUiPort,
          statusPort,
          bind,
          chainInterval,
          statusEvery,
          drainTimeout,
          verifyTimeout,
          keepServing);
    }

    @Override
    public Integer call() throws Exception {
      if (count != null && count <= 0) {
        throw new UsageException("--count must be positive");
      }
      SandboxRun run = new SandboxRun(settings(), System.out);
      AtomicInteger interrupts = new AtomicInteger();
      Signal.handle(
          new Signal("INT"),
          signal -> {
            if (run.finished()) {
              run.requestStop(); // ends --keep-serving
            } else if (interrupts.incrementAndGet() == 1) {
              System.out.println(
                  "\nsandbox: Ctrl-C: stopping the generator, then draining and verifying"
                      + " (Ctrl-C again stops at once)");
              run.requestStop();
            } else {
              System.exit(130);
            }
          });
      return run.run();
    }

    private static List<String> split(String args) {
      return args == null || args.isBlank()
          ? List.of()
          : new ArrayList<>(Arrays.asList(args.trim().split("\\s+")));
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = "Serves the status view for a pipeline running elsewhere (the compose stack).",
      footer = ExitCodes.HELP_FOOTER)
  static final class Status implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8080", description = "(default: ${DEFAULT-VALUE})")
    int port;

    @Mixin BootstrapServerOption kafka;

    @Option(
        names = "--flink-url",
        defaultValue = "http://localhost:8081",
        description = "Flink's REST API (default: ${DEFAULT-VALUE})")
    String flinkUrl;

    @Option(
        names = "--spark-master-url",
        description =
            "a Spark standalone master's web UI (its workers are shown), e.g."
                + " http://spark-master:8090; with --spark-driver-url")
    String sparkMasterUrl;

    @Option(
        names = "--spark-driver-url",
        description = "the chain's Spark UI (its executors are shown), e.g. http://chain:4040")
    String sparkDriverUrl;

    @Option(
        names = "--warehouse",
        defaultValue = Defaults.LAKE,
        description = "the lake's warehouse folder (default: ${DEFAULT-VALUE})")
    Path warehouse;

    @Option(
        names = "--namespace",
        defaultValue = PipelineNames.LAKE_NAMESPACE,
        description = "(default: ${DEFAULT-VALUE})")
    String namespace;

    @Option(
        names = "--bind",
        defaultValue = "127.0.0.1",
        description =
            "address to listen on; 0.0.0.0 in a container whose port is published"
                + " (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(
        names = "--run-log",
        defaultValue = Defaults.RUN_LOG,
        description = "the chain's run log (default: ${DEFAULT-VALUE})")
    Path runLog;

    @Option(
        names = "--report",
        defaultValue = Defaults.VERIFY_REPORT,
        description = "the verifier's JSON report (default: ${DEFAULT-VALUE})")
    Path report;

    @Option(
        names = "--generator-dir",
        defaultValue = Defaults.GENERATOR_DIR,
        description = "(default: ${DEFAULT-VALUE})")
    Path generatorDir;

    @Option(
        names = "--link",
        description = "a link the page shows, e.g. flink=http://localhost:8081")
    Map<String, String> links = new LinkedHashMap<>();

    @Option(
        names = "--every",
        defaultValue = "2s",
        description = "time between polls (default: ${DEFAULT-VALUE})")
    Duration every;

    @Option(
        names = "--mode",
        defaultValue = "compose",
        description = "shown on the page (default: ${DEFAULT-VALUE})")
    String mode;

    @Override
    public Integer call() throws InterruptedException {
      if ((sparkMasterUrl == null) != (sparkDriverUrl == null)) {
        throw new UsageException("--spark-master-url and --spark-driver-url go together");
      }
      try (StatusCollector collector =
              new StatusCollector(
                  new StatusCollector.Sources(
                      mode,
                      kafka.bootstrapServers(),
                      PipelineNames.EVENTS_TOPIC,
                      PipelineNames.SESSIONS_TOPIC,
                      PipelineNames.LATE_TOPIC,
                      PipelineNames.DEAD_LETTER_TOPIC,
                      PipelineNames.STREAM_JOB_GROUP,
                      flinkUrl,
                      warehouse,
                      namespace,
                      runLog,
                      report,
                      generatorDir,
                      links));
          StatusServer server = new StatusServer(bind, port, collector::latest).start()) {
        if (sparkMasterUrl != null) {
          collector.watchSparkCluster(new SparkRest(sparkMasterUrl, sparkDriverUrl));
        }
        System.out.printf("keystone-sandbox status: serving on port %d%n", server.port());
        while (!Thread.currentThread().isInterrupted()) {
          collector.poll();
          Thread.sleep(every.toMillis());
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "lab",
      mixinStandardHelpOptions = true,
      description = {
        "Runs a lab: one system-design question answered on the embedded stack, with figures and",
        "a verdict. lab --list lists them; lab <name> runs one. The labs' own flags pass through",
        "to keystone-labs.jar: LAB, --list, --data FOLDER (data-labs), --ui-port PORT (4040)."
      },
      footer = ExitCodes.HELP_FOOTER)
  static final class Lab implements Callable<Integer> {
    @Option(names = "--home", description = "folder with the built jars (default: this checkout)")
    Path home;

    @CommandLine.Unmatched List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
      return ForegroundJar.run(new Jars(home(home)).find(Jars.LABS), args);
    }
  }

  @Command(
      name = "sql",
      mixinStandardHelpOptions = true,
      description = {
        "The SQL console on the sandbox's lake: Spark SQL with Iceberg's extensions",
        "(keystone-batch-job.jar sql). Its flags pass through: -e SQL, -f FILE, --format",
        "table|csv|json, --max-rows N, --history FILE (keystone-batch-job.jar sql --help)."
      },
      footer = ExitCodes.HELP_FOOTER)
  static final class Sql implements Callable<Integer> {
    @Option(
        names = "--data-dir",
        defaultValue = "data",
        description = "the sandbox's data folder, whose lake it opens (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--home", description = "folder with the built jars (default: this checkout)")
    Path home;

    @CommandLine.Unmatched List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
      List<String> console =
          new ArrayList<>(List.of("sql", "--warehouse", dataDir.resolve("lake").toString()));
      console.addAll(args);
      return ForegroundJar.run(new Jars(home(home)).find(Jars.BATCH_JOB), console);
    }
  }
}
