package org.keystonesandbox.ingest;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.keystonesandbox.cli.CommandLines;
import org.keystonesandbox.cli.CommandMain;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.ingest.cli.DeliveryOptions;
import org.keystonesandbox.ingest.cli.KafkaOptions;
import org.keystonesandbox.ingest.cli.OutputOptions;
import org.keystonesandbox.ingest.cli.RunLimitOptions;
import org.keystonesandbox.ingest.cli.WorldOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The event generator's command line: simulated viewers' events into a Kafka topic.
 *
 * <pre>
 * java -jar ingest/target/keystone-ingest.jar --bootstrap-server localhost:9092 --count 100000
 * </pre>
 *
 * Prints a progress line every few seconds to stderr (records/s, unique, late, duplicates,
 * malformed, event time) and a summary at the end to stdout; writes the title catalog, the ground
 * truth and {@code summary.json} to {@code --out-dir}. Exit status ({@link ExitCodes}): 0 done, 1
 * Kafka failed during the run, 2 bad flags, 3 Kafka unreachable or output not writable; Ctrl-C
 * leaves the truth consistent with what was sent and ends with the shell's 130.
 */
@Command(
    name = "keystone-ingest",
    mixinStandardHelpOptions = true,
    version = "keystone-ingest 0.1.0",
    sortOptions = false,
    usageHelpWidth = 100,
    description = "Writes simulated viewing events (JSON, key = user_id) into a Kafka topic.",
    footer = {
      "",
      "Durations: 500ms, 30s, 5m, 2h, 7d. Without --count, --duration or --sim-duration the run",
      "goes on until Ctrl-C. Same --seed and knobs (apart from pacing), same records.",
      ExitCodes.HELP_FOOTER
    })
public final class GeneratorCommand implements Callable<Integer> {
  static final String NAME = "keystone-ingest";

  /** The command's name, failure, log configuration and command line, as every command's. */
  static final CommandMain MAIN =
      new CommandMain(NAME, "the run failed", "ingest-log4j2.xml", GeneratorCommand::new);

  @Mixin KafkaOptions kafka;
  @Mixin RunLimitOptions limits;
  @Mixin WorldOptions world;
  @Mixin DeliveryOptions delivery;
  @Mixin OutputOptions output;

  private final PrintStream out;
  private final PrintStream err;
  private volatile GeneratorRun activeRun;

  GeneratorCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    // MAIN.run(args) but for the stop hook, which needs the command's run
    CommandLines.useLogConfiguration(MAIN.logConfiguration());
    CommandLine cli = MAIN.commandLine(System.out, System.err);
    GeneratorCommand command = cli.getCommand();
    CountDownLatch finished = new CountDownLatch(1);
    boolean[] shuttingDown = {false};
    Thread hook =
        new Thread(
            () -> {
              if (finished.getCount() == 0) {
                return; // the ordinary exit after a finished run
              }
              shuttingDown[0] = true;
              GeneratorRun run = command.activeRun;
              if (run != null) {
                System.err.println("stopping: flushing what was sent...");
                run.requestStop();
              }
              awaitQuietly(finished);
            },
            "keystone-ingest-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    int code;
    try {
      code = cli.execute(args);
    } finally {
      finished.countDown();
    }
    if (!shuttingDown[0]) {
      System.exit(code);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public Integer call() throws IOException {
    GeneratorRun run = new GeneratorRun(CommandLines.settings(this::settings), err);
    activeRun = run;
    RunSummary summary = run.run();
    out.print(summary.toText());
    return summary.complete() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  /** The settings the flags describe; throws {@link IllegalArgumentException} on bad values. */
  GeneratorSettings settings() {
    RunLimits runLimits = limits.settings();
    return new GeneratorSettings(
        world.settings(runLimits),
        delivery.settings(),
        kafka.settings(),
        runLimits,
        output.settings());
  }

  /** Parses flags into settings, as the command does: for tests and the embedded launcher. */
  public static GeneratorSettings parseSettings(String... args) {
    CommandLine cli = MAIN.commandLine(System.out, System.err);
    cli.parseArgs(args);
    return cli.<GeneratorCommand>getCommand().settings();
  }
}
