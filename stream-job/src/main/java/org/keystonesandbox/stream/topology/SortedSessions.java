package org.keystonesandbox.stream.topology;

import java.util.Arrays;
import java.util.function.Predicate;
import org.apache.flink.util.Collector;

/**
 * One user's sessions as {@link UserState#sessions} keeps them: an array sorted by start in which
 * each session ends more than the gap before the next one starts. These operations keep that order;
 * {@link SessionizeFunction} decides when they happen.
 */
final class SortedSessions {
  private SortedSessions() {}

  /**
   * The session {@code event} joins, before it is added: the one whose span, widened by the gap on
   * both sides (inclusive), holds the event's time. When the event reaches several, it bridges
   * them: the later ones are merged into the first. When it reaches none, a new session starting
   * with the event takes its place in the order.
   */
  static SessionState sessionFor(UserState user, SessionEvent event, long gap) {
    SessionState[] sessions = user.sessions;
    long t = event.eventTs;
    int first = -1;
    int last = -1;
    int insertAt = sessions.length;
    for (int i = 0; i < sessions.length; i++) {
      SessionState s = sessions[i];
      if (t >= s.start - gap && t <= s.end + gap) {
        if (first < 0) {
          first = i;
        }
        last = i;
      } else if (first < 0 && t < s.start && insertAt == sessions.length) {
        insertAt = i;
      }
    }
    if (first < 0) {
      SessionState created = SessionState.startingWith(event);
      user.sessions = inserted(sessions, insertAt, created);
      return created;
    }
    if (last > first) {
      user.sessions = merged(sessions, first, last);
    }
    return sessions[first];
  }

  private static SessionState[] inserted(SessionState[] sessions, int at, SessionState session) {
    SessionState[] grown = new SessionState[sessions.length + 1];
    System.arraycopy(sessions, 0, grown, 0, at);
    grown[at] = session;
    System.arraycopy(sessions, at, grown, at + 1, sessions.length - at);
    return grown;
  }

  /** {@code sessions[first..last]} absorbed into {@code sessions[first]}. */
  private static SessionState[] merged(SessionState[] sessions, int first, int last) {
    for (int i = first + 1; i <= last; i++) {
      sessions[first].absorb(sessions[i]);
    }
    SessionState[] shrunk = new SessionState[sessions.length - (last - first)];
    System.arraycopy(sessions, 0, shrunk, 0, first + 1);
    System.arraycopy(sessions, last + 1, shrunk, first + 1, sessions.length - last - 1);
    return shrunk;
  }

  /** Drops the sessions {@code unreachable} accepts; the others keep their order. */
  static void purge(UserState user, Predicate<SessionState> unreachable) {
    SessionState[] sessions = user.sessions;
    int kept = 0;
    for (SessionState session : sessions) {
      if (!unreachable.test(session)) {
        sessions[kept++] = session;
      }
    }
    if (kept < sessions.length) {
      user.sessions = Arrays.copyOf(sessions, kept);
    }
  }

  /**
   * Writes {@code session} as its next revision: first a retraction under each start it was visible
   * under and no longer has (a session merged into it, or its start moved earlier), then the
   * session itself, which is from then on visible under its current start only.
   *
   * @return how many retractions were written
   */
  static int publish(SessionState session, String userId, Collector<SessionUpdate> out) {
    session.revision++;
    int retractions = 0;
    for (long visibleStart : session.visibleStarts) {
      if (visibleStart != session.start) {
        out.collect(SessionUpdate.retraction(userId, visibleStart, session.revision));
        retractions++;
      }
    }
    session.visibleStarts = new long[] {session.start};
    out.collect(session.toUpdate(userId));
    return retractions;
  }
}
