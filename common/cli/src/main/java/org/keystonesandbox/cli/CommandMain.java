package org.keystonesandbox.cli;

import java.io.PrintStream;
import java.util.function.BiFunction;
import picocli.CommandLine;

/**
 * The {@code main} of every command, declared once per command:
 *
 * <pre>
 * static final CommandMain MAIN =
 *     new CommandMain(NAME, "the job failed", "batch-job-log4j2.xml", (out, err) -> new BatchJobCommand());
 *
 * public static void main(String[] args) {
 *   MAIN.run(args);
 * }
 * </pre>
 *
 * {@link #run} points Log4j2 at the command's own configuration, builds the project's command line
 * ({@link CommandLines#create}) on stdout and stderr, executes it and exits with its code. Tests
 * take {@link #commandLine} on streams of their own.
 *
 * @param name the command's name, the prefix of every error line
 * @param failure what a failure while running means, e.g. "the job failed"
 * @param logConfiguration the command's Log4j2 configuration, a classpath resource
 * @param command the picocli command object, built for the given stdout and stderr
 */
public record CommandMain(
    String name,
    String failure,
    String logConfiguration,
    BiFunction<PrintStream, PrintStream, Object> command) {

  /** The command's command line, printing to {@code out} and {@code err}. */
  public CommandLine commandLine(PrintStream out, PrintStream err) {
    return CommandLines.create(command.apply(out, err), name, failure, out, err);
  }

  /** The same command with another Log4j2 configuration, for a subcommand that needs its own. */
  public CommandMain withLogConfiguration(String other) {
    return new CommandMain(name, failure, other, command);
  }

  /** Runs the command on {@code args} and exits the JVM with its exit code. */
  public void run(String[] args) {
    CommandLines.useLogConfiguration(logConfiguration);
    System.exit(commandLine(System.out, System.err).execute(args));
  }
}
