package org.keystonesandbox.stream.topology;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record of the sessions topic. The topic is an upsert log keyed by (user, session start): a
 * consumer keeps the latest record per key and deletes the key on a retraction. A session is
 * emitted when the watermark passes its end by more than the gap; data within the allowed lateness
 * re-emits it with a higher revision, and a session whose start moved or that was merged into
 * another is retracted under its old start.
 */
public class SessionUpdate {
  public String userId;
  public long sessionStart;
  public long sessionEnd;
  public int events;
  public long watchMs;

  /** Distinct titles watched in the session, sorted. */
  public String[] titles;

  /** Events that arrived after the watermark had passed their time (within allowed lateness). */
  public int lateEvents;

  /** True once the session has changed after it was first emitted. */
  public boolean updatedByLate;

  /** 1 for the first emission of a session, one more for each later change. */
  public int revision;

  /** True when this record withdraws the session stored under (user, session start). */
  public boolean retracted;

  public SessionUpdate() {}

  /** The retraction of the session emitted under {@code sessionStart}. */
  public static SessionUpdate retraction(String userId, long sessionStart, int revision) {
    SessionUpdate update = new SessionUpdate();
    update.userId = userId;
    update.sessionStart = sessionStart;
    update.sessionEnd = sessionStart;
    update.titles = new String[0];
    update.revision = revision;
    update.retracted = true;
    return update;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SessionUpdate u
        && userId.equals(u.userId)
        && sessionStart == u.sessionStart
        && sessionEnd == u.sessionEnd
        && events == u.events
        && watchMs == u.watchMs
        && Arrays.equals(titles, u.titles)
        && lateEvents == u.lateEvents
        && updatedByLate == u.updatedByLate
        && revision == u.revision
        && retracted == u.retracted;
  }

  @Override
  public int hashCode() {
    return Objects.hash(userId, sessionStart, revision, retracted);
  }

  @Override
  public String toString() {
    return (retracted ? "RETRACT " : "")
        + userId
        + "["
        + sessionStart
        + ".."
        + sessionEnd
        + "] events="
        + events
        + " watchMs="
        + watchMs
        + " titles="
        + Arrays.toString(titles)
        + " late="
        + lateEvents
        + " updatedByLate="
        + updatedByLate
        + " rev="
        + revision;
  }
}
