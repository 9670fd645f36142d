package org.keystonesandbox.batch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code sql} command in a process of its own, as a user starts it, with its own logging:
 * everything it prints on stdout and stderr is checked.
 */
class SqlConsoleProcessTest {

  @Test
  void aStatementThatFailsInASparkTaskIsOneLineWithoutAStackTraceAndThePromptGoesOn(
      @TempDir Path dir) throws Exception {
    // Each fails inside a task (range() is read by an executor), not while Spark plans it
    String typed =
        String.join(
            "\n",
            "SELECT 1 / (id - id) AS q FROM range(1);",
            "SELECT CAST(concat('x', id) AS INT) AS n FROM range(1);",
            "SELECT raise_error(concat('no such user ', id)) FROM range(1);",
            "SELECT 7 AS seven;",
            "");
    Console run =
        Console.run(
            List.of("sql", "--warehouse", dir.resolve("lake").toString(), "--ui-port", "0"),
            typed,
            dir);
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains("seven").contains("(1 row, ");
    assertThat(run.err().lines().filter(line -> !line.startsWith("note: ")))
        .as(run.err())
        .satisfiesExactly(
            line -> assertThat(line).startsWith("error: [DIVIDE_BY_ZERO] Division by zero."),
            line -> assertThat(line).startsWith("error: [CAST_INVALID_INPUT] The value 'x0'"),
            line -> assertThat(line).startsWith("error: [USER_RAISED_EXCEPTION] no such user 0"));
  }

  /** What a console process printed and how it ended. */
  record Console(int code, String out, String err) {
    /**
     * Runs {@code keystone-batch-job <args>} on this test's class path with {@code stdin} as its
     * input (a pipe, so the prompt reads it line by line), and waits for its end.
     */
    static Console run(List<String> args, String stdin, Path dir)
        throws IOException, InterruptedException {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      // Spark's --add-opens and the time zone, as the build gives them to this JVM
      ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
          .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Duser.timezone"))
          .forEach(command::add);
      command.addAll(
          List.of(
              "-Xmx512m",
              "-cp",
              System.getProperty("java.class.path"),
              BatchJobCommand.class.getName()));
      command.addAll(args);
      command.addAll(List.of("--master", "local[1]"));
      Path out = dir.resolve("stdout.txt");
      Path err = dir.resolve("stderr.txt");
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      // the build's JVM options for its own test JVMs; the launcher would say so on stderr
      builder.environment().remove("JDK_JAVA_OPTIONS");
      Process process = builder.start();
      try (OutputStream in = process.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      if (!process.waitFor(3, TimeUnit.MINUTES)) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException("the console did not end within 3 minutes: " + command);
      }
      return new Console(process.exitValue(), Files.readString(out), Files.readString(err));
    }
  }
}
