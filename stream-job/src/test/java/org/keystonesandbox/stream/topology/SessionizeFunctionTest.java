package org.keystonesandbox.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.keystonesandbox.stream.RuntimeSettings;

/**
 * The per-user operator in Flink's keyed test harness, driven event by event and watermark, on each
 * state backend with the layout of remembered ids the job uses on it; on RocksDB also with a cache
 * of one user, which writes every user back as soon as a second one comes.
 */
@ParameterizedClass
@EnumSource(SessionizeFunctionTest.Backend.class)
class SessionizeFunctionTest {
  enum Backend {
    HASHMAP(RuntimeSettings.StateBackend.HASHMAP, WriteBackUserState.DEFAULT_CAPACITY),
    ROCKSDB(RuntimeSettings.StateBackend.ROCKSDB, WriteBackUserState.DEFAULT_CAPACITY),
    ROCKSDB_CACHING_ONE_USER(RuntimeSettings.StateBackend.ROCKSDB, 1);

    final RuntimeSettings.StateBackend job;
    final int cacheCapacity;

    Backend(RuntimeSettings.StateBackend job, int cacheCapacity) {
      this.job = job;
      this.cacheCapacity = cacheCapacity;
    }
  }

  @Parameter Backend backend;

  private static final long MIN = 60_000;
  private static final long GAP = 30 * MIN;
  private static final long LATENESS = 10 * MIN;
  private static final long HORIZON = 60 * MIN;
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  private KeyedOneInputStreamOperatorTestHarness<String, SessionEvent, SessionUpdate> harness;

  @BeforeEach
  void openHarness() throws Exception {
    harness = harnessWith(LATENESS, HORIZON);
  }

  /** Replaces the default harness with one whose lateness and horizon are both {@code ms}. */
  private void useLateness(long ms) throws Exception {
    harness.close();
    harness = harnessWith(ms, ms);
  }

  private KeyedOneInputStreamOperatorTestHarness<String, SessionEvent, SessionUpdate> harnessWith(
      long latenessMs, long horizonMs) throws Exception {
    var opened = unopenedHarness(latenessMs, horizonMs);
    opened.open();
    return opened;
  }

  /** A new operator instance restored from {@code snapshot}, as after a restart. */
  private KeyedOneInputStreamOperatorTestHarness<String, SessionEvent, SessionUpdate>
      restoredHarness(OperatorSubtaskState snapshot) throws Exception {
    var restored = unopenedHarness(LATENESS, HORIZON);
    restored.initializeState(snapshot);
    restored.open();
    return restored;
  }

  private KeyedOneInputStreamOperatorTestHarness<String, SessionEvent, SessionUpdate>
      unopenedHarness(long latenessMs, long horizonMs) throws Exception {
    SessionSettings settings =
        new SessionSettings(
            Duration.ofMillis(GAP), Duration.ofMillis(latenessMs), Duration.ofMillis(horizonMs));
    var unopened =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new SessionizeOperator(
                new SessionizeFunction(
                    settings, backend.job.seenIdsLayout(), backend.cacheCapacity)),
            new SessionTopology.ByUser(),
            Types.STRING);
    unopened.setStateBackend(flinkBackend());
    return unopened;
  }

  private StateBackend flinkBackend() {
    return switch (backend.job) {
      case HASHMAP -> new HashMapStateBackend();
      case ROCKSDB -> new EmbeddedRocksDBStateBackend();
    };
  }

  @AfterEach
  void closeHarness() throws Exception {
    harness.close();
  }

  private void send(String id, String user, String title, long offsetMs, long playMs)
      throws Exception {
    harness.processElement(
        new SessionEvent(user, id, title, T0 + offsetMs, playMs, 0, 0), T0 + offsetMs);
  }

  private void watermark(long offsetMs) throws Exception {
    harness.processWatermark(T0 + offsetMs);
  }

  /**
   * Keys holding state in any of the operator's keyed states once the cached users are written
   * back, as before a checkpoint; Flink's own count is heap-only.
   */
  private long keyedStateEntries() throws Exception {
    harness.getOperator().prepareSnapshotPreBarrier(0);
    var states = harness.getOperator().getKeyedStateBackend();
    return Stream.of(SessionizeFunction.USER_STATE, SessionizeFunction.SEEN_IDS_STATE)
        .mapToLong(state -> states.getKeys(state, VoidNamespace.INSTANCE).count())
        .sum();
  }

  private List<SessionUpdate> sessions() {
    return harness.extractOutputValues();
  }

  private List<LateEvent> lateEvents() {
    var side = harness.getSideOutput(SessionizeFunction.LATE_EVENTS);
    return side == null
        ? List.of()
        : side.stream().map(StreamRecord::getValue).collect(Collectors.toList());
  }

  private static SessionUpdate session(
      String user, long start, long end, int events, long watchMs, String... titles) {
    SessionUpdate s = new SessionUpdate();
    s.userId = user;
    s.sessionStart = T0 + start;
    s.sessionEnd = T0 + end;
    s.events = events;
    s.watchMs = watchMs;
    s.titles = titles;
    s.revision = 1;
    return s;
  }

  @Test
  void sessionClosesExactlyWhenTheGapPassesAndNotAMillisecondEarlier() throws Exception {
    send("e1", "u1", "t1", 0, 0);
    send("e2", "u1", "t1", 10 * MIN, 600_000);

    watermark(10 * MIN + GAP);
    assertThat(sessions()).isEmpty();

    watermark(10 * MIN + GAP + 1);
    assertThat(sessions()).containsExactly(session("u1", 0, 10 * MIN, 2, 600_000, "t1"));
  }

  @Test
  void anEventExactlyOneGapAfterTheLastStillBelongsToTheSession() throws Exception {
    send("e1", "u1", "t1", 0, 0);
    send("e2", "u1", "t2", GAP, 5);
    send("e3", "u1", "t1", 2 * GAP + 1, 7);
    watermark(10 * GAP);

    assertThat(sessions())
        .containsExactly(
            session("u1", 0, GAP, 2, 5, "t1", "t2"),
            session("u1", 2 * GAP + 1, 2 * GAP + 1, 1, 7, "t1"));
  }

  @Test
  void duplicatesAreDroppedBeforeAndAfterTheSessionCloses() throws Exception {
    send("e1", "u1", "t1", 0, 100);
    send("e1", "u1", "t1", 0, 100);
    send("e2", "u1", "t1", MIN, 200);
    watermark(MIN + GAP + 1);
    send("e2", "u1", "t1", MIN, 200);
    watermark(MIN + GAP + LATENESS + 5);

    assertThat(sessions()).containsExactly(session("u1", 0, MIN, 2, 300, "t1"));
    assertThat(lateEvents()).isEmpty();
  }

  @Test
  void anEventWithinAllowedLatenessReopensItsSessionAndOneBeyondGoesToTheSideOutput()
      throws Exception {
    send("e1", "u1", "t1", 0, 100);
    send("e2", "u1", "t1", 20 * MIN, 200);
    watermark(20 * MIN + GAP + 1);
    SessionUpdate first = session("u1", 0, 20 * MIN, 2, 300, "t1");
    assertThat(sessions()).containsExactly(first);

    send("too-late", "u1", "t2", 39 * MIN, 50); // 11 min + 1 ms behind the watermark
    send("in-time", "u1", "t3", 45 * MIN, 30); // 5 min + 1 ms behind: moves the end to 45 min

    assertThat(lateEvents()).extracting(e -> e.eventId).containsExactly("too-late");
    assertThat(lateEvents().get(0).watermark - lateEvents().get(0).eventTs).isEqualTo(11 * MIN + 1);
    watermark(45 * MIN + GAP);
    assertThat(sessions()).containsExactly(first);
    watermark(45 * MIN + GAP + 1);
    SessionUpdate updated = session("u1", 0, 45 * MIN, 3, 330, "t1", "t3");
    updated.revision = 2;
    updated.updatedByLate = true;
    updated.lateEvents = 1;
    assertThat(sessions()).containsExactly(first, updated);
  }

  @Test
  void aLateEventInsideAClosedSessionReEmitsItAtOnce() throws Exception {
    useLateness(4 * GAP);
    send("e1", "u1", "t1", 0, 100);
    send("e2", "u1", "t1", 20 * MIN, 200);
    watermark(20 * MIN + GAP + 1);
    send("inside", "u1", "t2", 10 * MIN, 9);

    SessionUpdate updated = session("u1", 0, 20 * MIN, 3, 309, "t1", "t2");
    updated.revision = 2;
    updated.updatedByLate = true;
    updated.lateEvents = 1;
    assertThat(sessions()).containsExactly(session("u1", 0, 20 * MIN, 2, 300, "t1"), updated);
  }

  @Test
  void aLateEventBeforeTheStartRetractsTheSessionUnderItsOldStart() throws Exception {
    useLateness(4 * GAP);
    send("e1", "u1", "t1", 60 * MIN, 100);
    watermark(60 * MIN + GAP + 1);
    send("before", "u1", "t2", 40 * MIN, 2);

    SessionUpdate moved = session("u1", 40 * MIN, 60 * MIN, 2, 102, "t1", "t2");
    moved.revision = 2;
    moved.updatedByLate = true;
    moved.lateEvents = 1;
    assertThat(sessions())
        .containsExactly(
            session("u1", 60 * MIN, 60 * MIN, 1, 100, "t1"),
            SessionUpdate.retraction("u1", T0 + 60 * MIN, 2),
            moved);
  }

  @Test
  void aLateEventBridgingTwoClosedSessionsMergesThemAndRetractsTheLaterOne() throws Exception {
    useLateness(4 * GAP);
    send("a", "u1", "t1", 0, 10);
    send("b", "u1", "t2", 50 * MIN, 20);
    watermark(50 * MIN + GAP + 1);
    SessionUpdate firstA = session("u1", 0, 0, 1, 10, "t1");
    SessionUpdate firstB = session("u1", 50 * MIN, 50 * MIN, 1, 20, "t2");
    assertThat(sessions()).containsExactly(firstA, firstB);

    send("bridge", "u1", "t3", 25 * MIN, 5);

    SessionUpdate merged = session("u1", 0, 50 * MIN, 3, 35, "t1", "t2", "t3");
    merged.revision = 2;
    merged.updatedByLate = true;
    merged.lateEvents = 1;
    assertThat(sessions())
        .containsExactly(firstA, firstB, SessionUpdate.retraction("u1", T0 + 50 * MIN, 2), merged);
  }

  @Test
  void stateIsClearedOnceTheHorizonHasPassed() throws Exception {
    send("e1", "u1", "t1", 0, 1);
    send("e1", "u2", "t1", 0, 1);
    watermark(GAP + 1);
    assertThat(keyedStateEntries()).isPositive();

    watermark(HORIZON); // the id is still remembered: a copy is a duplicate, not late
    send("e1", "u1", "t1", 0, 1);
    assertThat(lateEvents()).isEmpty();

    watermark(HORIZON + HORIZON / 4 + 1);
    assertThat(keyedStateEntries()).isZero();
    send("e1", "u1", "t1", 0, 1); // forgotten, and far too late
    assertThat(lateEvents()).extracting(e -> e.eventId).containsExactly("e1");
    assertThat(sessions()).hasSize(2);
    assertThat(keyedStateEntries()).isZero();
  }

  @Test
  void aSweepForgetsEachIdAtItsOwnHorizonEvenWithinOneStretchOfEventTime() throws Exception {
    useLateness(2 * MIN); // on RocksDB: tables of one minute each, sweeps every half minute
    send("a", "u1", "t1", 0, 1);
    send("b", "u1", "t1", 50_000, 2); // the same minute as "a"
    watermark(2 * MIN + 30_000 + 1); // sweeps "a"'s id (past its horizon), not "b"'s

    send("b", "u1", "t1", 50_000, 2); // still remembered: a duplicate
    send("a", "u1", "t1", 0, 1); // forgotten, and beyond the allowed lateness
    assertThat(lateEvents()).extracting(e -> e.eventId).containsExactly("a");

    watermark(60 * MIN);
    assertThat(sessions()).containsExactly(session("u1", 0, 50_000, 2, 3, "t1"));
    assertThat(keyedStateEntries()).isZero();
  }

  @Test
  void aRestoredOperatorStillSendsAsideWhatWasLateBeforeItsWatermarkWasLost() throws Exception {
    send("a", "u1", "t1", 0, 1);
    send("b", "u1", "t1", 10 * MIN, 2);
    send("c", "u2", "t1", 10 * MIN, 3);
    watermark(10 * MIN + GAP + LATENESS + 1); // both sessions emitted, then purged
    List<SessionUpdate> before = sessions();
    assertThat(before).hasSize(2);
    var checkpoint = harness.snapshot(1, 1);
    harness.close();

    // A restart: same function, state from the checkpoint, and no watermark at all yet.
    harness = restoredHarness(checkpoint);
    send("x", "u1", "t1", 5 * MIN, 4); // inside u1's purged session: late, as before the restart
    send("b", "u2", "t2", 10 * MIN, 2); // a new id in u2's purged session: late too

    assertThat(lateEvents()).extracting(e -> e.eventId).containsExactly("x", "b");
    assertThat(sessions()).isEmpty();
  }

  @Test
  void afterADrainedStopTheRestoredOperatorAcceptsNewerEvents() throws Exception {
    send("a", "u1", "t1", 0, 1);
    harness.processWatermark(Long.MAX_VALUE); // stop with drain: the input's final watermark
    assertThat(sessions()).hasSize(1);
    var savepoint = harness.snapshot(1, 1);
    harness.close();

    harness = restoredHarness(savepoint);
    send("b", "u1", "t1", 24 * 60 * MIN, 2); // the next day's events, in a continued run
    watermark(24 * 60 * MIN + GAP + 1);

    assertThat(lateEvents()).isEmpty();
    assertThat(sessions()).containsExactly(session("u1", 24 * 60 * MIN, 24 * 60 * MIN, 1, 2, "t1"));
  }

  @Test
  void eachUserHasSessionsOfTheirOwn() throws Exception {
    send("a", "u1", "t1", 0, 1);
    send("b", "u2", "t1", MIN, 2);
    watermark(MIN + GAP + 1);

    assertThat(sessions())
        .containsExactlyInAnyOrder(
            session("u1", 0, 0, 1, 1, "t1"), session("u2", MIN, MIN, 1, 2, "t1"));
  }
}
