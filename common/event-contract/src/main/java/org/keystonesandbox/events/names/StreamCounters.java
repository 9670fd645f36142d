package org.keystonesandbox.events.names;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stream job's counters: their names (Flink metrics and accumulators of the same name, read by
 * the status view), and the line the job prints with their totals when it ends, which the sandbox
 * reads back because the job's REST API is gone by then.
 */
public final class StreamCounters {
  public static final String EVENTS_PARSED = "eventsParsed";
  public static final String EVENTS_MALFORMED = "eventsMalformed";
  public static final String DUPLICATES_DROPPED = "duplicatesDropped";
  public static final String LATE_EVENTS = "lateEvents";
  public static final String SESSIONS_EMITTED = "sessionsEmitted";
  public static final String SESSIONS_RETRACTED = "sessionsRetracted";

  /** Every counter, in the order the job prints them. */
  public static final List<String> NAMES =
      List.of(
          EVENTS_PARSED,
          EVENTS_MALFORMED,
          DUPLICATES_DROPPED,
          LATE_EVENTS,
          SESSIONS_EMITTED,
          SESSIONS_RETRACTED);

  /** How the job's last line starts; the counters follow it. */
  public static final String FINISHED_PREFIX = "stream-job finished: ";

  private static final String FORMAT =
      "parsed %,d | malformed %,d | duplicates dropped %,d | late %,d | sessions out %,d"
          + " (retractions %,d)";

  private static final Pattern FINISHED =
      Pattern.compile(
          Pattern.quote(FINISHED_PREFIX)
              + "parsed ([\\d,]+) \\| malformed ([\\d,]+) \\| duplicates dropped ([\\d,]+)"
              + " \\| late ([\\d,]+) \\| sessions out ([\\d,]+) \\(retractions ([\\d,]+)\\)");

  private StreamCounters() {}

  /** The counters on one line, for the job's progress lines; a missing counter is 0. */
  public static String describe(Map<String, ?> counters) {
    Object[] values = NAMES.stream().map(name -> value(counters.get(name))).toArray();
    return String.format(java.util.Locale.US, FORMAT, values);
  }

  /** The line the job prints when it ends. */
  public static String finishedLine(Map<String, ?> counters) {
    return FINISHED_PREFIX + describe(counters);
  }

  /** The counters of a {@link #finishedLine}, by name; empty if {@code line} is not one. */
  public static Optional<Map<String, Long>> parseFinishedLine(String line) {
    Matcher m = FINISHED.matcher(line);
    if (!m.find()) {
      return Optional.empty();
    }
    Map<String, Long> counters = new LinkedHashMap<>();
    for (int i = 0; i < NAMES.size(); i++) {
      counters.put(NAMES.get(i), Long.parseLong(m.group(i + 1).replace(",", "")));
    }
    return Optional.of(counters);
  }

  private static long value(Object counter) {
    return counter instanceof Number n ? n.longValue() : 0L;
  }
}
