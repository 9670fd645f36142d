package org.keystonesandbox.sandbox.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.keystonesandbox.cli.Jars;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Another of the project's commands run in the foreground, sharing this terminal: {@code
 * keystone-sandbox lab} and {@code sql} hand over to the labs' and the batch job's own jars.
 */
public final class ForegroundJar {
  private ForegroundJar() {}

  /** Runs it to its end and returns its exit code. */
  public static int run(Path jar, List<String> args) throws InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(Jars.javaCommand(jar, List.of(), args)).inheritIO().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + jar, e);
    }
    // Ctrl-C reaches the whole foreground process group. The child decides what it means (the
    // console drops the statement being typed, a lab stops); this JVM waits for it to end.
    Signal interrupt = new Signal("INT");
    SignalHandler previous = Signal.handle(interrupt, SignalHandler.SIG_IGN);
    try {
      return process.waitFor();
    } finally {
      Signal.handle(interrupt, previous);
    }
  }
}
