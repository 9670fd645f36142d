package org.keystonesandbox.stream.topology;

import java.util.Arrays;

/** One session of one user while the job holds it: open, or closed and awaiting stragglers. */
public class SessionState {
  public long start;
  public long end;
  public int events;
  public long watchMs;

  /** Distinct titles, sorted. */
  public String[] titles;

  public int lateEvents;
  public boolean closed;
  public boolean updatedByLate;

  /** How many times the session (or a session merged into it) has been emitted so far. */
  public int revision;

  /** Session starts under which a version of this session is visible in the output. */
  public long[] visibleStarts;

  public SessionState() {}

  static SessionState startingWith(SessionEvent event) {
    SessionState session = new SessionState();
    session.start = event.eventTs;
    session.end = event.eventTs;
    session.titles = new String[0];
    session.visibleStarts = new long[0];
    return session;
  }

  void add(SessionEvent event, boolean behindWatermark) {
    start = Math.min(start, event.eventTs);
    end = Math.max(end, event.eventTs);
    events++;
    watchMs += event.playMs;
    addTitle(event.titleId);
    if (behindWatermark) {
      lateEvents++;
    }
    if (revision > 0) {
      updatedByLate = true;
    }
  }

  void absorb(SessionState other) {
    start = Math.min(start, other.start);
    end = Math.max(end, other.end);
    events += other.events;
    watchMs += other.watchMs;
    for (String title : other.titles) {
      addTitle(title);
    }
    lateEvents += other.lateEvents;
    updatedByLate |= other.updatedByLate;
    revision = Math.max(revision, other.revision);
    long[] starts = Arrays.copyOf(visibleStarts, visibleStarts.length + other.visibleStarts.length);
    System.arraycopy(
        other.visibleStarts, 0, starts, visibleStarts.length, other.visibleStarts.length);
    visibleStarts = starts;
  }

  private void addTitle(String title) {
    int at = Arrays.binarySearch(titles, title);
    if (at < 0) {
      int insertAt = -at - 1;
      String[] grown = new String[titles.length + 1];
      System.arraycopy(titles, 0, grown, 0, insertAt);
      grown[insertAt] = title;
      System.arraycopy(titles, insertAt, grown, insertAt + 1, titles.length - insertAt);
      titles = grown;
    }
  }

  SessionUpdate toUpdate(String userId) {
    SessionUpdate update = new SessionUpdate();
    update.userId = userId;
    update.sessionStart = start;
    update.sessionEnd = end;
    update.events = events;
    update.watchMs = watchMs;
    update.titles = titles.clone();
    update.lateEvents = lateEvents;
    update.updatedByLate = updatedByLate;
    update.revision = revision;
    return update;
  }
}
