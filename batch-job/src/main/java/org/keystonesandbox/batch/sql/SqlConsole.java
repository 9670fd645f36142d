package org.keystonesandbox.batch.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.impl.DumbTerminal;

/**
 * Spark SQL on the lake, one statement at a time: each result printed in a {@link ResultFormat}
 * with its row count and time, each failure as one line naming the error, never a stack trace.
 */
public final class SqlConsole {
  private static final Set<String> QUIT = Set.of("quit", "exit", "\\q");
  private static final String PROMPT = "lake> ";
  private static final String CONTINUATION = "   -> ";

  private final SparkSession spark;
  private final PrintWriter out;
  private final PrintWriter err;
  private final ResultWriter writer;
  private final boolean timings;

  /**
   * @param timings print "(N rows, t s)" after each result; off for CSV and JSON, which scripts
   *     read
   */
  public SqlConsole(
      SparkSession spark, PrintWriter out, PrintWriter err, ResultFormat format, int maxRows) {
    this.spark = spark;
    this.out = out;
    this.err = err;
    this.writer = new ResultWriter(out, format, maxRows);
    this.timings = format == ResultFormat.TABLE;
  }

  /** Runs one statement; on failure prints one line and returns false. */
  public boolean execute(String statement) {
    long started = System.nanoTime();
    try {
      Dataset<Row> result = spark.sql(statement);
      long rows = result.columns().length == 0 ? -1 : writer.write(result);
      if (timings) {
        double seconds = (System.nanoTime() - started) / 1e9;
        out.println(
            rows < 0
                ? String.format(Locale.ROOT, "OK (%.2f s)", seconds)
                : String.format(
                    Locale.ROOT, "(%,d row%s, %.2f s)", rows, rows == 1 ? "" : "s", seconds));
      }
      return true;
    } catch (Exception | StackOverflowError e) {
      // Spark's AnalysisException is checked, but Scala throws it undeclared. A stack overflow
      // (a deeply nested expression or a recursive function) ends with its stack unwound: the
      // session is as it was, so the prompt goes on.
      err.println("error: " + oneLine(e));
      return false;
    } catch (VirtualMachineError fatal) {
      // Out of memory or an internal JVM error: other threads (Spark's scheduler, listener bus)
      // may have failed too, so the session cannot be trusted; the console ends with the error.
      throw fatal;
    } catch (Error e) { // e.g. a class a function needs is missing: nothing else is harmed
      err.println("error: " + oneLine(e));
      return false;
    }
  }

  /**
   * Runs the statements of a script in order and stops at the first that fails.
   *
   * @return whether every statement succeeded
   */
  public boolean executeScript(String script) {
    List<String> statements = SqlScript.statements(script);
    for (int i = 0; i < statements.size(); i++) {
      if (!execute(statements.get(i))) {
        err.printf("stopped at statement %d of %d%n", i + 1, statements.size());
        return false;
      }
    }
    return true;
  }

  /**
   * The interactive prompt: reads lines until a statement ends with {@code ;}, runs it, and goes on
   * after a failure. {@code quit}, {@code exit}, {@code \q} or end of input leave; Ctrl-C drops the
   * statement being typed. Lines are kept in {@code history} across sessions.
   */
  public void interactive(Terminal terminal, Path history) {
    LineReader reader =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .variable(LineReader.HISTORY_FILE, history)
            // an indented continuation line of a statement belongs in the history too
            .option(LineReader.Option.HISTORY_IGNORE_SPACE, false)
            .build();
    StringBuilder statement = new StringBuilder();
    while (true) {
      String line;
      try {
        line = reader.readLine(statement.isEmpty() ? PROMPT : CONTINUATION);
      } catch (UserInterruptException typedCtrlC) {
        statement.setLength(0);
        continue;
      } catch (EndOfFileException endOfInput) {
        return;
      }
      String command = line.strip().toLowerCase(Locale.ROOT);
      if (statement.isEmpty()
          && QUIT.contains(
              command.endsWith(";")
                  ? command.substring(0, command.length() - 1).strip()
                  : command)) {
        return;
      }
      statement.append(line).append('\n');
      if (SqlScript.isComplete(statement.toString())) {
        SqlScript.statements(statement.toString()).forEach(this::execute);
        statement.setLength(0);
      }
    }
  }

  /**
   * The process's terminal when {@code in} is a console; otherwise (piped input, tests) a dumb
   * terminal, which reads {@code in} only as lines are asked for.
   */
  public static Terminal terminal(InputStream in, OutputStream terminalOut) throws IOException {
    if (System.console() != null && in == System.in) {
      return TerminalBuilder.builder().system(true).build();
    }
    return new DumbTerminal(
        "keystone-sql", Terminal.TYPE_DUMB, in, terminalOut, StandardCharsets.UTF_8);
  }

  /** The first line of the error's message: Spark's error class and what it says. */
  public static String oneLine(Throwable e) {
    String type = e.getClass().getSimpleName();
    String message = e.getMessage() == null ? "" : e.getMessage().strip();
    String first = message.lines().findFirst().orElse("");
    // Spark's errors start with their class ([DIVIDE_BY_ZERO]); a JVM error needs its type
    return first.isEmpty() ? type : e instanceof Error ? type + ": " + first : first;
  }
}
