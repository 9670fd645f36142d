package org.keystonesandbox.stream;

import java.util.Map;
import org.keystonesandbox.stream.topology.JobCounter;

/** The job's counters as one line, with the input rate since the previous line. */
final class ProgressLine {
  private long lastParsed;
  private long lastNanos = System.nanoTime();

  String next(Map<String, Object> accumulators) {
    long parsed = value(accumulators, JobCounter.EVENTS_PARSED);
    long now = System.nanoTime();
    double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
    long rate = Math.round((parsed - lastParsed) / seconds);
    lastParsed = parsed;
    lastNanos = now;
    return "stream-job: " + counters(accumulators) + String.format(" | %,d events/s", rate);
  }

  static String totals(Map<String, Object> accumulators) {
    return "stream-job finished: " + counters(accumulators);
  }

  private static String counters(Map<String, Object> a) {
    return String.format(
        "parsed %,d | malformed %,d | duplicates dropped %,d | late %,d | sessions out %,d"
            + " (retractions %,d)",
        value(a, JobCounter.EVENTS_PARSED),
        value(a, JobCounter.EVENTS_MALFORMED),
        value(a, JobCounter.DUPLICATES_DROPPED),
        value(a, JobCounter.LATE_EVENTS),
        value(a, JobCounter.SESSIONS_EMITTED),
        value(a, JobCounter.SESSIONS_RETRACTED));
  }

  private static long value(Map<String, Object> accumulators, String name) {
    Object value = accumulators.get(name);
    return value instanceof Number n ? n.longValue() : 0L;
  }
}
