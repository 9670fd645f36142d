package org.keystonesandbox.sandbox.run;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.keystonesandbox.sandbox.status.StatusCollector;

/** The status line a run prints every {@code --status-every}: every stage's headline figures. */
final class StatusLines {
  private final StatusCollector collector;
  private final Duration every;
  private final PrintStream out;
  private long nextLineNanos;

  StatusLines(StatusCollector collector, Duration every, PrintStream out) {
    this.collector = collector;
    this.every = every;
    this.out = out;
    this.nextLineNanos = System.nanoTime();
  }

  /** Polls and prints a line if the last one is {@code every} old; the first call always prints. */
  void printIfDue() {
    long now = System.nanoTime();
    if (now >= nextLineNanos) {
      printNow();
      nextLineNanos = now + every.toNanos();
    }
  }

  void printNow() {
    out.println(
        "["
            + Instant.now().truncatedTo(ChronoUnit.SECONDS)
            + "] "
            + StatusCollector.line(collector.poll()));
  }
}
