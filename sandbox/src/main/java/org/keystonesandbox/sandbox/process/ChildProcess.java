package org.keystonesandbox.sandbox.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.keystonesandbox.cli.Jars;

/**
 * One pipeline part running as its own JVM ({@code java -jar}), its output appended to a log file.
 * On Linux it starts in its own session ({@code setsid}), so that Ctrl-C in the terminal reaches
 * only the sandbox, which then stops the parts in order.
 */
public final class ChildProcess {
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final String name;
  private final List<String> command;
  private final Path log;
  private final Map<String, String> environment;
  private Process process;

  public ChildProcess(String name, Path jar, List<String> jvmOptions, List<String> args, Path log) {
    this(name, jar, jvmOptions, args, Map.of(), log);
  }

  /**
   * @param environment variables set for the process on top of this one's
   */
  public ChildProcess(
      String name,
      Path jar,
      List<String> jvmOptions,
      List<String> args,
      Map<String, String> environment,
      Path log) {
    this.name = name;
    this.environment = Map.copyOf(environment);
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      cmd.add(SETSID.toString());
    }
    cmd.addAll(Jars.javaCommand(jar, jvmOptions, args));
    this.command = List.copyOf(cmd);
    this.log = log;
  }

  public String name() {
    return name;
  }

  public Path log() {
    return log;
  }

  public synchronized ChildProcess start() {
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(environment);
      process = builder.start();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The exit code if it has ended, else null. */
  public synchronized Integer exitCode() {
    return process == null || process.isAlive() ? null : process.exitValue();
  }

  /** Waits for it to end by itself; true if it did within the timeout. */
  public boolean await(Duration timeout) throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    return p == null || p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** SIGTERM (its shutdown hooks run), then SIGKILL after {@code grace}. */
  public void stop(Duration grace) throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGKILL at once: what a crash looks like. */
  public void kill() throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p != null) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The last lines of its log on one line, separated by {@code |}, for a progress message. */
  public String tailOnOneLine(int lines) {
    return tail(lines).lines().map(String::strip).reduce((a, b) -> a + " | " + b).orElse("");
  }

  /** The last lines of its log, for error messages. */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }
}
