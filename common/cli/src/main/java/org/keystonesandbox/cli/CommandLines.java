package org.keystonesandbox.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Supplier;
import org.keystonesandbox.events.Durations;
import org.keystonesandbox.events.topics.KafkaUnavailableException;
import picocli.CommandLine;

/**
 * The project's command-line scaffold: a picocli command line whose errors are one line on stderr,
 * prefixed with the command's name, with the exit codes of {@link ExitCodes}, and whose durations
 * use the project's syntax ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}).
 *
 * <ul>
 *   <li>a bad flag or value, a {@link UsageException}, or an {@link IllegalArgumentException} while
 *       the flags become settings ({@link #settings}): {@code <name>: <message> (see --help)}, exit
 *       {@link ExitCodes#USAGE};
 *   <li>Kafka unreachable or an {@link UnavailableException}: {@code <name>: <message>}; a file
 *       that cannot be read or written: {@code <name>: <ExceptionType>: <message>}; exit {@link
 *       ExitCodes#UNAVAILABLE};
 *   <li>anything else, an {@link IllegalArgumentException} from the running work too: {@code
 *       <name>: <failure>: <root cause>}, exit {@link ExitCodes#ERROR}.
 * </ul>
 */
public final class CommandLines {
  private CommandLines() {}

  /**
   * @param command the picocli command object (with its subcommands and mixins)
   * @param name the prefix of every error line, the command's name
   * @param failure what a failure while running means, e.g. "the job failed"
   */
  public static CommandLine create(
      Object command, String name, String failure, PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(command);
    cli.registerConverter(Duration.class, CommandLines::duration);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler(
        (ex, args) -> {
          err.println(name + ": " + ex.getMessage() + " (see --help)");
          return ExitCodes.USAGE;
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof UsageException) {
            err.println(name + ": " + ex.getMessage() + " (see --help)");
            return ExitCodes.USAGE;
          }
          if (ex instanceof UnavailableException) {
            err.println(name + ": " + ex.getMessage());
            return ExitCodes.UNAVAILABLE;
          }
          if (ex instanceof KafkaUnavailableException
              || ex instanceof IOException
              || ex instanceof UncheckedIOException) {
            // Kafka's message says what to do; a file error needs its type ("NoSuchFileException:
            // x")
            err.println(
                name
                    + ": "
                    + (ex instanceof KafkaUnavailableException
                        ? ex.getMessage()
                        : rootMessage(ex)));
            return ExitCodes.UNAVAILABLE;
          }
          err.println(name + ": " + failure + ": " + rootMessage(ex));
          return ExitCodes.ERROR;
        });
    return cli;
  }

  /**
   * The settings {@code flags} builds from the parsed flags: an {@link IllegalArgumentException}
   * while building them (values out of range, flags that contradict each other) is a usage error.
   */
  public static <T> T settings(Supplier<T> flags) {
    try {
      return flags.get();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }

  /** {@link #settings} for checks that build nothing. */
  public static void validate(Runnable flags) {
    settings(
        () -> {
          flags.run();
          return null;
        });
  }

  /** A duration in the project's syntax; a bad one is a usage error naming the syntax. */
  public static Duration duration(String value) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  /** The innermost cause of {@code e}: its class and message, the part a user can act on. */
  public static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String type = root.getClass().getSimpleName();
    return root.getMessage() == null ? type : type + ": " + root.getMessage();
  }

  /** Points Log4j2 at the command's own quiet configuration unless one was given. */
  public static void useLogConfiguration(String classpathResource) {
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "classpath:" + classpathResource);
    }
  }
}
