package org.keystonesandbox.oracle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.keystonesandbox.events.ViewingEvent;

/**
 * Sessions computed the obvious way, in memory: group the unique events by user, sort each user's
 * events by time, cut wherever two consecutive events are more than the gap apart. Shares no code
 * with the stream or batch jobs, so that agreeing with it means something.
 */
public final class ReferenceSessions {
  private ReferenceSessions() {}

  /**
   * @param uniqueEvents each event once (the ground truth, possibly minus events a stage
   *     legitimately set aside)
   * @return the sessions, ordered by user and start
   */
  public static List<ReferenceSession> of(Iterable<ViewingEvent> uniqueEvents, Duration gap) {
    long gapMs = gap.toMillis();
    Map<String, List<ViewingEvent>> byUser = new HashMap<>();
    for (ViewingEvent event : uniqueEvents) {
      byUser.computeIfAbsent(event.userId(), u -> new ArrayList<>()).add(event);
    }
    List<ReferenceSession> sessions = new ArrayList<>();
    byUser.forEach(
        (user, events) -> {
          events.sort(Comparator.comparingLong(ViewingEvent::eventTs));
          int from = 0;
          for (int i = 1; i <= events.size(); i++) {
            boolean cut =
                i == events.size() || events.get(i).eventTs() - events.get(i - 1).eventTs() > gapMs;
            if (cut) {
              sessions.add(session(user, events.subList(from, i)));
              from = i;
            }
          }
        });
    sessions.sort(
        Comparator.comparing(ReferenceSession::userId).thenComparingLong(ReferenceSession::start));
    return sessions;
  }

  private static ReferenceSession session(String user, List<ViewingEvent> run) {
    long watchMs = 0;
    TreeSet<String> titles = new TreeSet<>();
    for (ViewingEvent event : run) {
      watchMs += event.playMs();
      titles.add(event.titleId());
    }
    return new ReferenceSession(
        user,
        run.get(0).eventTs(),
        run.get(run.size() - 1).eventTs(),
        run.size(),
        watchMs,
        List.copyOf(titles));
  }
}
