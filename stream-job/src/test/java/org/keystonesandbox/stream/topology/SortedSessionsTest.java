package org.keystonesandbox.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** One user's sessions as the state keeps them: sorted by start, more than a gap apart. */
class SortedSessionsTest {
  private static final long MIN = 60_000;
  private static final long GAP = 30 * MIN;

  private final UserState user = new UserState();
  private final List<SessionUpdate> published = new ArrayList<>();

  /** Adds an event at {@code ts} the way the operator does; returns the session it joined. */
  private SessionState add(long ts) {
    SessionEvent event = new SessionEvent("u1", "e" + ts, "t1", ts, 1, 0, 0);
    SessionState session = SortedSessions.sessionFor(user, event, GAP);
    session.add(event, false);
    return session;
  }

  private int publish(SessionState session) {
    return SortedSessions.publish(session, "u1", new ListCollector<>(published));
  }

  /** (start, end, events) of each session, in the array's order. */
  private List<Tuple> sessions() {
    return Arrays.stream(user.sessions).map(s -> tuple(s.start, s.end, s.events)).toList();
  }

  @Test
  void anEventExactlyOneGapAfterTheEndJoinsTheSessionAndOneMillisecondLaterStartsAnother() {
    add(0);
    add(GAP);
    add(2 * GAP + 1);

    assertThat(sessions()).containsExactly(tuple(0L, GAP, 2), tuple(2 * GAP + 1, 2 * GAP + 1, 1));
  }

  @Test
  void anEventExactlyOneGapBeforeTheStartMovesTheStartEarlier() {
    SessionState session = add(60 * MIN);

    assertThat(add(30 * MIN)).isSameAs(session);
    assertThat(sessions()).containsExactly(tuple(30 * MIN, 60 * MIN, 2));
  }

  @Test
  void anEventThatReachesNoSessionIsInsertedAtItsPlaceInTheOrder() {
    add(100 * MIN);
    add(200 * MIN);
    add(0);
    add(150 * MIN);

    assertThat(sessions())
        .containsExactly(
            tuple(0L, 0L, 1),
            tuple(100 * MIN, 100 * MIN, 1),
            tuple(150 * MIN, 150 * MIN, 1),
            tuple(200 * MIN, 200 * MIN, 1));
  }

  @Test
  void anEventWithinAGapOfTwoSessionsMergesThemIntoTheFirst() {
    SessionState first = add(0);
    add(50 * MIN);
    add(100 * MIN);

    assertThat(add(25 * MIN)).isSameAs(first);
    assertThat(sessions()).containsExactly(tuple(0L, 50 * MIN, 3), tuple(100 * MIN, 100 * MIN, 1));
  }

  @Test
  void purgeDropsTheSessionsItIsGivenAndKeepsTheOthersInOrder() {
    add(0);
    add(100 * MIN);
    add(200 * MIN);
    long horizon = 150 * MIN;

    SortedSessions.purge(user, session -> session.end < horizon);

    assertThat(sessions()).containsExactly(tuple(200 * MIN, 200 * MIN, 1));
  }

  @Test
  void purgingNothingLeavesTheArrayAsItWas() {
    add(0);
    SessionState[] before = user.sessions;

    SortedSessions.purge(user, session -> false);

    assertThat(user.sessions).isSameAs(before);
  }

  @Test
  void aFirstPublicationWritesTheSessionAsRevisionOne() {
    SessionState session = add(0);

    assertThat(publish(session)).isZero();

    assertThat(published)
        .extracting(u -> u.revision, u -> u.retracted)
        .containsExactly(tuple(1, false));
    assertThat(session.visibleStarts).containsExactly(0L);
  }

  @Test
  void aMergedSessionIsPublishedAfterARetractionOfTheLaterSessionsStart() {
    publish(add(0));
    publish(add(50 * MIN));
    published.clear();

    SessionState merged = add(25 * MIN);

    assertThat(publish(merged)).isOne();
    assertThat(published)
        .containsExactly(SessionUpdate.retraction("u1", 50 * MIN, 2), merged.toUpdate("u1"));
    assertThat(merged.visibleStarts).containsExactly(0L);
  }

  @Test
  void aSessionWhoseStartMovedEarlierIsRetractedUnderItsOldStart() {
    publish(add(60 * MIN));
    published.clear();

    SessionState moved = add(40 * MIN);

    assertThat(publish(moved)).isOne();
    assertThat(published)
        .containsExactly(SessionUpdate.retraction("u1", 60 * MIN, 2), moved.toUpdate("u1"));
  }
}
