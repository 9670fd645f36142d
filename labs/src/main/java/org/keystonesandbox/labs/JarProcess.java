package org.keystonesandbox.labs;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.keystonesandbox.cli.Jars;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One of the project's jars run to its end as a child process, for a lab. */
final class JarProcess {
  private static final Logger LOG = LoggerFactory.getLogger(JarProcess.class);

  private JarProcess() {}

  /**
   * Runs {@code java <jvmOptions> -jar <jar> <args>}, its output (stdout and stderr) into {@code
   * output}, and returns the lines it printed; fails, naming {@code what} and quoting the output,
   * if it exits with another code than 0 or runs longer than {@code timeout}. A lab ended by a
   * signal stops the child too.
   */
  static List<String> run(
      String what,
      Path jar,
      List<String> jvmOptions,
      List<String> args,
      Path output,
      Duration timeout)
      throws IOException, InterruptedException {
    return awaitEnd(what, start(what, jar, jvmOptions, args, output), output, timeout);
  }

  /**
   * Waits for the end of a started jar and returns the lines it printed into {@code output}; fails
   * as {@link #run} does. The process is killed if it is still running when this returns or fails.
   */
  static List<String> awaitEnd(String what, Running running, Path output, Duration timeout)
      throws IOException, InterruptedException {
    Process process = running.process();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            what + " did not end within " + timeout.toSeconds() + " s (output in " + output + ")");
      }
      String printed = Files.readString(output, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            what + " exited with " + process.exitValue() + ": " + lastLines(printed, 5));
      }
      return printed.lines().toList();
    } finally {
      running.kill();
    }
  }

  /** A started jar; {@link #kill} is {@code kill -9}. */
  record Running(Process process, Thread stopOnExit) {
    boolean alive() {
      return process.isAlive();
    }

    /** Kills the process (SIGKILL: no shutdown hook of its own runs) and waits for its end. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor();
      try {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      } catch (IllegalStateException exiting) {
        LOG.debug("the JVM is already exiting: the shutdown hook stops the process", exiting);
      }
    }
  }

  /** Starts the jar, its output into {@code output}; a lab ended by a signal stops it too. */
  static Running start(
      String what, Path jar, List<String> jvmOptions, List<String> args, Path output)
      throws IOException {
    return start(what, Jars.javaCommand(jar, jvmOptions, args), output);
  }

  /**
   * Starts {@code main}, a class of the labs' own, in a JVM of its own on this JVM's class path, as
   * {@link #start(String, Path, List, List, Path)} starts a jar.
   */
  static Running startMain(
      String what, Class<?> main, List<String> jvmOptions, List<String> args, Path output)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(args);
    return start(what, command, output);
  }

  private static Running start(String what, List<String> command, Path output) throws IOException {
    Files.createDirectories(output.getParent());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    Thread stopOnExit = new Thread(process::destroyForcibly, what + "-stop");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    return new Running(process, stopOnExit);
  }

  /** A port on 127.0.0.1 that was free a moment ago, for a child to listen on. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }

  private static String lastLines(String text, int count) {
    List<String> lines = text.strip().lines().toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - count), lines.size()));
  }
}
