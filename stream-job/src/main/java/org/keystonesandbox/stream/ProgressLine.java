package org.keystonesandbox.stream;

import java.util.Map;
import org.keystonesandbox.events.names.StreamCounters;
import org.keystonesandbox.stream.topology.JobCounter;

/** The job's counters as one line, with the input rate since the previous line. */
final class ProgressLine {
  private long lastParsed;
  private long lastNanos = System.nanoTime();

  String next(Map<String, Object> accumulators) {
    Object counted = accumulators.get(JobCounter.EVENTS_PARSED);
    long parsed = counted instanceof Number n ? n.longValue() : 0L;
    long now = System.nanoTime();
    double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
    long rate = Math.round((parsed - lastParsed) / seconds);
    lastParsed = parsed;
    lastNanos = now;
    return "stream-job: "
        + StreamCounters.describe(accumulators)
        + String.format(" | %,d events/s", rate);
  }

  static String totals(Map<String, Object> accumulators) {
    return StreamCounters.finishedLine(accumulators);
  }
}
