package org.keystonesandbox.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.keystonesandbox.events.RejectReason;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.oracle.ReferenceGold;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.verify.StreamOutputs.LateEvent;
import org.keystonesandbox.verify.report.Check;

/**
 * The comparisons, stage by stage, as a pure function of what the generator says happened and what
 * each stage holds. A stage that has not caught up yet is reported as waiting, not as a mismatch,
 * and the stages below it are not compared.
 */
final class Verification {
  /** Rows listed under a failed comparison. */
  static final int DETAIL_ROWS = 5;

  /** What the generator recorded: the expected side. */
  record Expected(
      int runsFinished,
      List<String> runsStillWriting,
      List<String> incompleteRuns,
      long records,
      long uniqueEvents,
      long duplicates,
      Map<RejectReason, Long> malformed,
      List<ViewingEvent> truth,
      Map<String, Long> runtimeMsByTitle) {}

  /** What the lake holds. */
  record Lake(
      Map<Integer, Long> bronzeOffsets,
      long bronzeEvents,
      Map<RejectReason, Long> quarantine,
      boolean silverCaughtUp,
      Set<String> silverEventIds,
      List<ReferenceSession> silverSessions,
      boolean goldCaughtUp,
      List<ReferenceGold.TitleCountryDay> goldTitleCountryDays,
      List<ReferenceGold.UserDay> goldUserDays,
      Map<Integer, Long> maxEventTimeByPartition,
      Map<String, Copy> firstCopies,
      Set<String> beyondRepairHorizon) {}

  /** A record's place in the events topic. */
  record Copy(int partition, long offset) {}

  /** What the stream job committed. */
  record Stream(
      Map<Integer, Long> committedOffsets,
      long deadLetters,
      List<LateEvent> lateEvents,
      List<ReferenceSession> sessions) {}

  /** The stream job's settings the expected sessions depend on. */
  record StreamSettings(Duration gap, Duration outOfOrderness, Duration allowedLateness) {}

  private final Expected expected;
  private final StreamSettings settings;
  private final List<Check> checks = new ArrayList<>();

  private Verification(Expected expected, StreamSettings settings) {
    this.expected = expected;
    this.settings = settings;
  }

  /** The whole pipeline, on an events topic that kept every record. */
  static List<Check> run(
      Expected expected,
      Map<Integer, Long> eventsTopicEnd,
      Lake lake,
      Stream stream,
      StreamSettings settings) {
    return run(expected, Map.of(), eventsTopicEnd, lake, stream, settings, true);
  }

  /**
   * @param eventsTopicStart the events topic's log start offsets (missing partitions: 0)
   * @param lake null if the lake has no tables yet
   * @param stream null to leave the stream job out
   * @param batchLayer false to leave the lake out (when the batch layer does not run)
   */
  static List<Check> run(
      Expected expected,
      Map<Integer, Long> eventsTopicStart,
      Map<Integer, Long> eventsTopicEnd,
      Lake lake,
      Stream stream,
      StreamSettings settings,
      boolean batchLayer) {
    Verification v = new Verification(expected, settings);
    if (v.generator() && v.kafka(eventsTopicStart, eventsTopicEnd)) {
      List<ReferenceSession> sessions = ReferenceSessions.of(expected.truth(), settings.gap());
      if (batchLayer) {
        v.batch(eventsTopicEnd, lake, sessions);
      }
      if (stream != null) {
        v.stream(eventsTopicEnd, stream, lake, sessions);
      }
    }
    return v.checks;
  }

  private boolean generator() {
    String stage = "generator";
    if (expected.runsFinished() == 0 || !expected.runsStillWriting().isEmpty()) {
      checks.add(
          Check.notReady(
              stage,
              "generator finished",
              expected.runsFinished() == 0
                  ? "no finished generator run yet"
                  : "still writing " + expected.runsStillWriting()));
      return false;
    }
    if (!expected.incompleteRuns().isEmpty()) {
      checks.add(
          new Check(
              stage,
              "every record acknowledged by Kafka",
              Check.Outcome.FAIL,
              "complete runs",
              "incomplete: " + expected.incompleteRuns(),
              List.of("an incomplete run's topic and ground truth may disagree: start fresh")));
      return false;
    }
    checks.add(
        Check.compare(
            stage,
            "unique events in the ground truth",
            expected.uniqueEvents(),
            (long) expected.truth().size()));
    return true;
  }

  /**
   * The events topic holds every record written, and none has expired: the pipeline's topics keep
   * records forever, and one deleted by retention before a stage read it is lost to that stage. The
   * stages are still compared, so that what they lack shows.
   */
  private boolean kafka(Map<Integer, Long> start, Map<Integer, Long> end) {
    Check sent =
        Check.compare("kafka", "records in the events topic", expected.records(), total(end));
    checks.add(sent);
    long expired = total(start);
    if (expired == 0) {
      checks.add(Check.pass("kafka", "records expired from the events topic", 0L));
    } else {
      List<String> where = new ArrayList<>();
      start.forEach(
          (partition, first) -> {
            if (first > 0) {
              where.add("partition " + partition + ": offsets 0.." + (first - 1) + " deleted");
            }
          });
      where.add(
          "retention deleted records a stage may not have read: what it lacks below is lost, not"
              + " miscounted");
      checks.add(
          new Check(
              "kafka",
              "records expired from the events topic",
              Check.Outcome.FAIL,
              "0",
              expired + " expired (retention)",
              where));
    }
    return sent.outcome() == Check.Outcome.PASS;
  }

  private void batch(Map<Integer, Long> end, Lake lake, List<ReferenceSession> sessions) {
    if (lake == null) {
      checks.add(Check.notReady("bronze", "bronze caught up", "the lake has no tables yet"));
      return;
    }
    long read = total(lake.bronzeOffsets());
    if (!lake.bronzeOffsets().equals(end)) {
      checks.add(
          Check.notReady(
              "bronze",
              "bronze caught up",
              "bronze has read " + read + " of " + total(end) + " records"));
      return;
    }
    checks.add(Check.pass("bronze", "records read (Kafka offsets committed)", read));
    checks.add(
        Check.compare(
            "bronze",
            "valid records (unique + duplicates)",
            expected.uniqueEvents() + expected.duplicates(),
            lake.bronzeEvents()));
    checks.add(
        Check.compare(
            "bronze", "quarantined records by reason", expected.malformed(), lake.quarantine()));

    if (!lake.silverCaughtUp()) {
      checks.add(
          Check.notReady(
              "silver", "silver caught up", "silver has not read bronze's newest snapshot"));
      return;
    }
    // Events that arrived after silver closed their day are known, not a mismatch: silver keeps
    // them aside, and the batch figures are those of the truth without them.
    Set<String> known = new java.util.HashSet<>(lake.beyondRepairHorizon());
    known.removeAll(lake.silverEventIds());
    List<ViewingEvent> truth = expected.truth();
    if (!known.isEmpty()) {
      truth = truth.stream().filter(e -> !known.contains(e.eventId())).toList();
      sessions = ReferenceSessions.of(truth, settings.gap());
      checks.add(
          Check.pass(
              "silver",
              "known: events beyond the repair horizon, kept in silver_beyond_horizon",
              known.size()));
    }
    Set<String> truthIds = truth.stream().map(ViewingEvent::eventId).collect(Collectors.toSet());
    checks.add(
        listCheck(
            "silver",
            "events (each unique event once)",
            truthIds,
            lake.silverEventIds(),
            id -> id));
    checks.add(
        listCheck("silver", "sessions", sessions, lake.silverSessions(), Verification::describe));

    if (!lake.goldCaughtUp()) {
      checks.add(
          Check.notReady("gold", "gold caught up", "gold has not read silver's newest snapshot"));
      return;
    }
    ReferenceGold gold = ReferenceGold.of(truth, expected.runtimeMsByTitle(), settings.gap());
    checks.add(
        listCheck(
            "gold",
            "daily title x country rows",
            gold.titleCountryDays(),
            lake.goldTitleCountryDays(),
            Object::toString));
    checks.add(
        listCheck(
            "gold", "daily user rows", gold.userDays(), lake.goldUserDays(), Object::toString));
  }

  private void stream(
      Map<Integer, Long> end, Stream stream, Lake lake, List<ReferenceSession> batchSessions) {
    String stage = "stream (Flink)";
    if (!stream.committedOffsets().equals(end)) {
      checks.add(
          Check.notReady(
              stage,
              "stream job caught up",
              "the stream job has committed "
                  + total(stream.committedOffsets())
                  + " of "
                  + total(end)
                  + " records (it commits on checkpoints)"));
      return;
    }
    long malformed = expected.malformed().values().stream().mapToLong(Long::longValue).sum();
    checks.add(
        Check.compare(stage, "dead letters (malformed records)", malformed, stream.deadLetters()));

    Map<String, ViewingEvent> truthById = new HashMap<>();
    expected.truth().forEach(e -> truthById.put(e.eventId(), e));
    // An event counts as accepted unless its first copy was sent aside: a re-send arriving after
    // its id was forgotten goes to the late topic too, while the first copy is in a session.
    Set<String> lateIds = new HashSet<>();
    Set<String> sentAsideIds = new HashSet<>();
    List<String> unknown = new ArrayList<>();
    for (LateEvent late : stream.lateEvents()) {
      sentAsideIds.add(late.eventId());
      if (!truthById.containsKey(late.eventId())) {
        unknown.add(late.eventId());
      }
      Copy first = lake == null ? null : lake.firstCopies().get(late.eventId());
      if (first == null || first.equals(new Copy(late.partition(), late.offset()))) {
        lateIds.add(late.eventId());
      }
    }
    checks.add(
        new Check(
            stage,
            "late events are events of the ground truth",
            unknown.isEmpty() ? Check.Outcome.PASS : Check.Outcome.FAIL,
            sentAsideIds.size() + " known",
            (sentAsideIds.size() - unknown.size()) + " known",
            unknown.stream().limit(DETAIL_ROWS).map(id -> "not in the truth: " + id).toList()));

    List<String> notLate =
        stream.lateEvents().stream()
            .filter(late -> late.latenessMs() <= settings.allowedLateness().toMillis())
            .map(
                late ->
                    late.eventId()
                        + " was "
                        + late.latenessMs()
                        + " ms behind the watermark, within the allowed lateness")
            .toList();
    checks.add(
        new Check(
            stage,
            "late events were later than the allowed lateness",
            notLate.isEmpty() ? Check.Outcome.PASS : Check.Outcome.FAIL,
            "more than " + settings.allowedLateness().toMillis() + " ms behind",
            notLate.isEmpty()
                ? "all " + stream.lateEvents().size()
                : notLate.size() + " of " + stream.lateEvents().size() + " were not",
            notLate.stream().limit(DETAIL_ROWS).toList()));

    List<ViewingEvent> accepted =
        expected.truth().stream().filter(e -> !lateIds.contains(e.eventId())).toList();
    List<ReferenceSession> expectedSessions = ReferenceSessions.of(accepted, settings.gap());
    long watermark = lowestWatermark(lake);
    List<ReferenceSession> closed = new ArrayList<>();
    Set<ReferenceSession> open = new HashSet<>();
    for (ReferenceSession s : expectedSessions) {
      if (s.end() + settings.gap().toMillis() < watermark) {
        closed.add(s);
      } else {
        open.add(s);
      }
    }
    Set<ReferenceSession> committed = new LinkedHashSet<>(stream.sessions());
    // A session the job emitted is final, so only expected sessions still open may be absent.
    List<ReferenceSession> due = new ArrayList<>(closed);
    open.stream().filter(committed::contains).forEach(due::add);
    checks.add(
        listCheck(
            stage,
            "sessions (over the events it accepted)",
            due,
            stream.sessions(),
            Verification::describe));
    long stillOpen = open.stream().filter(s -> !committed.contains(s)).count();
    if (stillOpen > 0) {
      checks.add(
          Check.info(
              stage,
              "sessions still open",
              stillOpen + " sessions near the end of the stream",
              List.of(
                  "their gap has not passed the job's watermark yet; they close when newer"
                      + " events arrive, or when the job is stopped with a drain, as the"
                      + " embedded sandbox does at its end")));
    }
    realTimeAgainstBatch(stream, batchSessions, committed, open, truthById);
  }

  /** Where the real-time sessions differ from the batch ones, and which late event explains it. */
  private void realTimeAgainstBatch(
      Stream stream,
      List<ReferenceSession> batchSessions,
      Set<ReferenceSession> committed,
      Set<ReferenceSession> open,
      Map<String, ViewingEvent> truthById) {
    Map<String, List<LateEvent>> lateByUser = new HashMap<>();
    stream
        .lateEvents()
        .forEach(e -> lateByUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e));
    List<String> examples = new ArrayList<>();
    int differing = 0;
    for (ReferenceSession batch : batchSessions) {
      if (committed.contains(batch)) {
        continue;
      }
      List<LateEvent> late =
          lateByUser.getOrDefault(batch.userId(), List.of()).stream()
              .filter(e -> e.eventTs() >= batch.start() && e.eventTs() <= batch.end())
              .toList();
      if (late.isEmpty()) {
        continue; // not a lateness difference: still open in the stream, or a real mismatch above
      }
      differing++;
      if (examples.size() < DETAIL_ROWS) {
        LateEvent first = late.get(0);
        examples.add(
            describe(batch)
                + ": batch has "
                + late.size()
                + " event(s) the stream sent aside, e.g. "
                + first.eventId()
                + " "
                + Duration.ofMillis(first.latenessMs()).toMinutes()
                + " min behind the watermark");
      }
    }
    checks.add(
        Check.info(
            "real time vs batch",
            "sessions the batch layer repaired",
            differing
                + " of "
                + batchSessions.size()
                + " sessions differ, each because of "
                + "events later than the stream's allowed lateness ("
                + stream.lateEvents().size()
                + " late events)",
            examples));
  }

  /**
   * The stream job's watermark cannot be below this: the smallest of the partitions' largest event
   * times, less the out-of-orderness (idle partitions only make the real one higher).
   */
  private long lowestWatermark(Lake lake) {
    if (lake == null || lake.maxEventTimeByPartition().isEmpty()) {
      return Long.MIN_VALUE;
    }
    long lowest =
        lake.maxEventTimeByPartition().values().stream().mapToLong(l -> l).min().orElseThrow();
    return lowest - settings.outOfOrderness().toMillis() - 1;
  }

  private static <T> Check listCheck(
      String stage,
      String name,
      Collection<T> expected,
      Collection<T> actual,
      Function<T, String> describe) {
    Set<T> actualSet = new LinkedHashSet<>(actual);
    Set<T> expectedSet = new LinkedHashSet<>(expected);
    List<String> details = new ArrayList<>();
    long missing = expected.stream().filter(e -> !actualSet.contains(e)).count();
    long extra = actual.stream().filter(a -> !expectedSet.contains(a)).count();
    expected.stream()
        .filter(e -> !actualSet.contains(e))
        .limit(DETAIL_ROWS)
        .forEach(e -> details.add("expected, missing: " + describe.apply(e)));
    actual.stream()
        .filter(a -> !expectedSet.contains(a))
        .limit(DETAIL_ROWS)
        .forEach(a -> details.add("found, not expected: " + describe.apply(a)));
    boolean equal = missing == 0 && extra == 0 && expected.size() == actual.size();
    if (equal) {
      return Check.pass(stage, name, expected.size() + " equal");
    }
    return new Check(
        stage,
        name,
        Check.Outcome.FAIL,
        expected.size() + " rows",
        actual.size() + " rows (" + missing + " missing, " + extra + " unexpected)",
        details);
  }

  static String describe(ReferenceSession s) {
    return s.userId()
        + " "
        + Instant.ofEpochMilli(s.start())
        + " .. "
        + Instant.ofEpochMilli(s.end())
        + ", "
        + s.events()
        + " events, "
        + s.watchMs()
        + " ms watched, "
        + s.titles();
  }

  private static long total(Map<Integer, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }
}
