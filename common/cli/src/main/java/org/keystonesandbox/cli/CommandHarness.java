package org.keystonesandbox.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import picocli.CommandLine;

/**
 * A command run the way a test wants it: on streams of its own, its output and errors kept for
 * assertions. Every module's command test uses it.
 *
 * <pre>
 * CommandHarness cli = new CommandHarness(BatchJobCommand.MAIN);
 * assertThat(cli.run("silver", "--no-such-flag")).isEqualTo(ExitCodes.USAGE);
 * assertThat(cli.errors()).startsWith("keystone-batch-job: Unknown option");
 * cli.assertEveryCommandAnswersHelp();
 * </pre>
 */
public final class CommandHarness {
  private final BiFunction<PrintStream, PrintStream, CommandLine> commandLine;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** A harness for a command declared with {@link CommandMain}. */
  public CommandHarness(CommandMain main) {
    this(main::commandLine);
  }

  /** A harness for a command line built on the given stdout and stderr. */
  public CommandHarness(BiFunction<PrintStream, PrintStream, CommandLine> commandLine) {
    this.commandLine = commandLine;
  }

  /**
   * Runs a new command line on {@code args}; its output adds to {@link #output}/{@link #errors}.
   */
  public int run(String... args) {
    return commandLine
        .apply(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))
        .execute(args);
  }

  /** What the runs printed on stdout. */
  public String output() {
    return out.toString(StandardCharsets.UTF_8);
  }

  /** What the runs printed on stderr. */
  public String errors() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Forgets what was printed so far. */
  public void reset() {
    out.reset();
    err.reset();
  }

  /**
   * Runs {@code --help} on the command and on every subcommand of its tree, each on a new command
   * line, and fails naming every one that does not exit 0 with its usage (its {@code Usage:} line)
   * and the exit codes on stdout, and nothing on stderr: a subcommand without {@code
   * mixinStandardHelpOptions} answers "Unknown option: '--help'" with exit 2.
   *
   * @throws AssertionError naming the commands that do not answer
   */
  public void assertEveryCommandAnswersHelp() {
    List<String> failures = new ArrayList<>();
    List<List<String>> paths = new ArrayList<>();
    collect(commandLine.apply(System.out, System.err), new ArrayList<>(), paths);
    for (List<String> path : paths) {
      reset();
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      int code = run(args.toArray(String[]::new));
      String qualified =
          commandLine.apply(System.out, System.err).getCommandName()
              + (path.isEmpty() ? "" : " " + String.join(" ", path));
      if (code != ExitCodes.OK
          || !output().contains("Usage: " + qualified)
          || !output().contains("Exit codes:")
          || !errors().isEmpty()) {
        failures.add(
            "'"
                + qualified
                + " --help' exited "
                + code
                + (errors().isEmpty() ? "" : " saying " + errors().strip())
                + (output().contains("Usage: " + qualified) ? "" : ", without its usage")
                + (output().contains("Exit codes:") ? "" : ", without the exit codes"));
      }
    }
    reset();
    if (!failures.isEmpty()) {
      throw new AssertionError(
          "commands that do not answer --help:\n  " + String.join("\n  ", failures));
    }
  }

  /**
   * {@code 127.0.0.1:PORT} with a port that was free a moment ago: where no broker or server
   * listens, for the tests of an unreachable one.
   */
  public static String addressNobodyListensOn() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }

  /** The name paths of {@code cli}'s whole subcommand tree, {@code cli} itself first. */
  private static void collect(CommandLine cli, List<String> path, List<List<String>> paths) {
    paths.add(List.copyOf(path));
    Map<CommandLine, Boolean> seen = new IdentityHashMap<>(); // aliases map to one CommandLine
    for (Map.Entry<String, CommandLine> sub : cli.getSubcommands().entrySet()) {
      if (seen.put(sub.getValue(), Boolean.TRUE) == null) {
        List<String> subPath = new ArrayList<>(path);
        subPath.add(sub.getValue().getCommandName());
        collect(sub.getValue(), subPath, paths);
      }
    }
  }
}
