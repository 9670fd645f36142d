package org.keystonesandbox.sandbox.run;

import static org.keystonesandbox.sandbox.run.PartCommands.CHAIN;
import static org.keystonesandbox.sandbox.run.PartCommands.GENERATOR;
import static org.keystonesandbox.sandbox.run.PartCommands.KAFKA;
import static org.keystonesandbox.sandbox.run.PartCommands.STREAM_JOB;
import static org.keystonesandbox.sandbox.run.PartCommands.VERIFIER;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.sandbox.process.ChildProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the parts as processes, restarts the broker, the Flink job and the chain when they crash
 * (up to a limit; a part that exits with the usage-error code ends the run at once, naming it), and
 * stops them all in order: readers before what they read.
 */
final class Supervisor {
  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

  static final int MAX_RESTARTS = 10;

  /**
   * The pause before each restart, so that a part failing while Kafka is down does not use up its
   * restarts at once.
   */
  static final Duration RESTART_PAUSE = Duration.ofSeconds(5);

  static final Duration BROKER_START_TIMEOUT = Duration.ofSeconds(90);

  /** The generator is not among them: it waits for a restarting broker by itself. */
  static final List<String> RESTARTED = List.of(KAFKA, STREAM_JOB, CHAIN);

  static final List<String> STOP_ORDER = List.of(VERIFIER, CHAIN, STREAM_JOB, GENERATOR, KAFKA);

  private static final String BROKER_READY_LINE = "embedded-kafka: ready";

  private final Jars jars;
  private final DataFolder data;
  private final PrintStream out;
  private final Duration restartPause;

  /** Guards itself and {@link #restarts}: the failure tests read them from another thread. */
  private final Map<String, ChildProcess> parts = new LinkedHashMap<>();

  private final Map<String, Integer> restarts = new LinkedHashMap<>();
  private final Map<String, Long> endedAt = new HashMap<>();

  /** Parts that ended on purpose: never restarted. */
  private final Set<String> retired = ConcurrentHashMap.newKeySet();

  Supervisor(Jars jars, DataFolder data, PrintStream out) {
    this(jars, data, out, RESTART_PAUSE);
  }

  Supervisor(Jars jars, DataFolder data, PrintStream out, Duration restartPause) {
    this.jars = jars;
    this.data = data;
    this.out = out;
    this.restartPause = restartPause;
  }

  ChildProcess start(PartCommand command) {
    ChildProcess part =
        new ChildProcess(
                command.name(),
                jars.find(command.jar()),
                command.jvmOptions(),
                command.args(),
                command.environment(),
                data.log(command.name()))
            .start();
    synchronized (parts) {
      parts.put(command.name(), part);
    }
    return part;
  }

  /** Starts the broker; false if it ended or printed no ready line in time. */
  boolean startBroker(PartCommand command) throws InterruptedException {
    long readyBefore = readyLines(data.log(command.name()));
    return awaitBroker(start(command), readyBefore);
  }

  Optional<ChildProcess> part(String name) {
    synchronized (parts) {
      return Optional.ofNullable(parts.get(name));
    }
  }

  /** A part that was started. */
  ChildProcess get(String name) {
    return part(name).orElseThrow(() -> new IllegalStateException(name + " was not started"));
  }

  int restartsOf(String name) {
    synchronized (parts) {
      return restarts.getOrDefault(name, 0);
    }
  }

  /** Marks a part as ending on purpose, so that it is not restarted when it ends. */
  void retire(String name) {
    synchronized (retired) {
      retired.add(name);
    }
  }

  /** One round of supervision: restarts each crashed part whose pause is over. */
  void restartCrashed() throws InterruptedException {
    for (String name : RESTARTED) {
      Optional<ChildProcess> found = part(name);
      if (found.isEmpty() || found.get().isAlive() || retired.contains(name)) {
        continue;
      }
      ChildProcess part = found.get();
      if (Integer.valueOf(ExitCodes.USAGE).equals(part.exitCode())) {
        // It refused its flags or what it found at start (the stream job's committed offsets
        // without a checkpoint): every restart would be refused the same way.
        throw new IllegalStateException(
            name
                + " refused to start (exit code "
                + ExitCodes.USAGE
                + "), so it is not restarted; last lines of its log:\n"
                + part.tail(10));
      }
      long ended = endedAt.computeIfAbsent(name, n -> System.nanoTime());
      if (System.nanoTime() - ended < restartPause.toNanos()) {
        continue;
      }
      endedAt.remove(name);
      int count;
      synchronized (parts) {
        count = restarts.merge(name, 1, Integer::sum);
      }
      if (count > MAX_RESTARTS) {
        throw new IllegalStateException(
            name + " crashed " + MAX_RESTARTS + " times; last lines of its log:\n" + part.tail(20));
      }
      out.printf(
          "sandbox: %s ended (exit code %d); restarting it (restart %d)%n",
          name, part.exitCode(), count);
      long readyBefore = readyLines(part.log());
      // Checked and started under the lock stopAll retires under, so that a part is either
      // restarted before stopAll stops it, or retired before a restart could start it.
      synchronized (retired) {
        if (retired.contains(name)) {
          continue;
        }
        part.start();
      }
      if (name.equals(KAFKA) && !awaitBroker(part, readyBefore)) {
        LOG.warn("the restarted broker is not ready yet; the next round restarts it if it ended");
      }
    }
  }

  /** Waits until {@code writer} has written {@code file}; fails if it ends first. */
  void awaitFile(Path file, String writer, Duration timeout) throws InterruptedException {
    ChildProcess part = get(writer);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(file)) {
      if (!part.isAlive() && !Files.exists(file)) {
        throw new IllegalStateException(
            writer + " ended before writing " + file + ":\n" + part.tail(10));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(file + " did not appear within " + timeout);
      }
      Thread.sleep(200);
    }
  }

  /** SIGTERM, then SIGKILL after {@code grace}, if it is running. */
  void stop(String name, Duration grace) {
    Optional<ChildProcess> part = part(name);
    if (part.isEmpty() || !part.get().isAlive()) {
      return;
    }
    try {
      part.get().stop(grace);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn(
          "interrupted while stopping {}: it got SIGTERM but no SIGKILL after {}", name, grace);
    }
  }

  /**
   * Stops every part still running, in {@link #STOP_ORDER}. Every part is retired first, so that a
   * supervision round running meanwhile (the shutdown hook stops the parts while the main loop may
   * still supervise them) does not start a stopped part again.
   */
  void stopAll(Duration grace) {
    synchronized (retired) {
      retired.addAll(STOP_ORDER);
    }
    for (String name : STOP_ORDER) {
      stop(name, grace);
    }
  }

  /** Waits for the broker's ready line beyond the {@code readyBefore} its log already had. */
  private static boolean awaitBroker(ChildProcess kafka, long readyBefore)
      throws InterruptedException {
    long deadline = System.nanoTime() + BROKER_START_TIMEOUT.toNanos();
    while (readyLines(kafka.log()) <= readyBefore) {
      if (!kafka.isAlive() || System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(250);
    }
    return true;
  }

  private static long readyLines(Path log) {
    if (!Files.exists(log)) {
      return 0;
    }
    try (Stream<String> lines = Files.lines(log)) {
      return lines.filter(l -> l.contains(BROKER_READY_LINE)).count();
    } catch (IOException | UncheckedIOException e) {
      LOG.debug(
          "cannot read {} now ({}); counted as no ready line, the next look reads it", log, e);
      return 0;
    }
  }
}
