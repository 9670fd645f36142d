package org.keystonesandbox.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to its end within a timeout, its output (stdout and stderr) into a file so that a
 * command that hangs with its output open still times out; fails naming the command and quoting its
 * output when it exits with another code than 0.
 */
final class CommandRunner {
  private CommandRunner() {}

  static String run(Duration timeout, List<String> command) throws IOException {
    return run(timeout, command, Map.of());
  }

  /** With {@code environment} added to this process's environment. */
  static String run(Duration timeout, List<String> command, Map<String, String> environment)
      throws IOException {
    Path output = Files.createTempFile("command", ".out");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
      builder.environment().putAll(environment);
      Process process = builder.start();
      boolean ended;
      try {
        ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ended = false;
      }
      if (!ended) {
        process.destroyForcibly();
        throw new AssertionError(
            "timed out after " + timeout.toSeconds() + " s: " + command + "\n" + read(output));
      }
      String text = read(output);
      if (process.exitValue() != 0) {
        throw new AssertionError("failed (" + process.exitValue() + "): " + command + "\n" + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String read(Path output) throws IOException {
    return Files.readString(output, StandardCharsets.UTF_8);
  }
}
