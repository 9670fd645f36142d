package org.keystonesandbox.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.RejectReason;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.oracle.ReferenceGold;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.verify.StreamOutputs.LateEvent;
import org.keystonesandbox.verify.report.Check;
import org.keystonesandbox.verify.report.Check.Outcome;
import org.keystonesandbox.verify.report.Report;

class VerificationTest {
  private static final Duration GAP = Duration.ofMinutes(30);
  private static final long T0 = Instant.parse("2026-01-01T20:00:00Z").toEpochMilli();
  private static final long MINUTE = 60_000;
  private static final Verification.StreamSettings SETTINGS =
      new Verification.StreamSettings(GAP, Duration.ofMinutes(1), Duration.ofMinutes(30));
  private static final Map<Integer, Long> END = Map.of(0, 7L);

  /** Two users; u2's second event arrived too late for the stream job. */
  private static final List<ViewingEvent> TRUTH =
      List.of(
          event("e1", "u1", EventType.PLAY_START, 0, 0),
          event("e2", "u1", EventType.HEARTBEAT, 1, MINUTE),
          event("e3", "u1", EventType.STOP, 2, MINUTE),
          event("e4", "u2", EventType.PLAY_START, 0, 0),
          event("e5", "u2", EventType.HEARTBEAT, 3, 3 * MINUTE),
          // a session of u1 two hours later, well past the watermark
          event("e6", "u1", EventType.PLAY_START, 120, 0));

  private static ViewingEvent event(
      String id, String user, EventType type, long minute, long play) {
    long ts = T0 + minute * MINUTE;
    return new ViewingEvent(
        id, user, "p-" + user, "t00001", "tv", "DE", type, minute * MINUTE, play, ts, ts);
  }

  private static Verification.Expected expected() {
    return new Verification.Expected(
        1,
        List.of(),
        List.of(),
        7,
        TRUTH.size(),
        1,
        Map.of(RejectReason.BAD_JSON, 0L),
        TRUTH,
        Map.of("t00001", 6_000_000L));
  }

  /** The lake exactly as the truth says, with every stage caught up. */
  private static Verification.Lake lake(List<ReferenceGold.TitleCountryDay> gold) {
    ReferenceGold reference = ReferenceGold.of(TRUTH, Map.of("t00001", 6_000_000L), GAP);
    return new Verification.Lake(
        END,
        TRUTH.size() + 1,
        Map.of(RejectReason.BAD_JSON, 0L),
        true,
        TRUTH.stream().map(ViewingEvent::eventId).collect(Collectors.toSet()),
        ReferenceSessions.of(TRUTH, GAP),
        true,
        gold == null ? reference.titleCountryDays() : gold,
        reference.userDays(),
        Map.of(0, T0 + 600 * MINUTE),
        Map.of("e2", new Verification.Copy(0, 1)),
        Set.of());
  }

  /** The stream job's answer: everything but e5, which it sent to the late topic. */
  private static Verification.Stream stream(List<ReferenceSession> sessions) {
    List<ViewingEvent> accepted = TRUTH.stream().filter(e -> !e.eventId().equals("e5")).toList();
    return new Verification.Stream(
        END,
        0,
        List.of(new LateEvent("e5", "u2", T0 + 3 * MINUTE, 40 * MINUTE, 0, 4)),
        sessions == null ? ReferenceSessions.of(accepted, GAP) : sessions);
  }

  private static Map<String, Outcome> outcomes(List<Check> checks) {
    return checks.stream().collect(Collectors.toMap(Check::name, Check::outcome, (a, b) -> a));
  }

  @Test
  void everyStageEqualToTheTruthPassesAndTheLateEventExplainsTheRealTimeDifference() {
    List<Check> checks = Verification.run(expected(), END, lake(null), stream(null), SETTINGS);

    assertThat(Report.of(Instant.now(), 0, checks).verdict()).isEqualTo(Outcome.PASS);
    Check repaired =
        checks.stream()
            .filter(c -> c.stage().equals("real time vs batch"))
            .findFirst()
            .orElseThrow();
    assertThat(repaired.actual()).startsWith("1 of 3 sessions differ");
    assertThat(repaired.details()).singleElement().asString().contains("u2").contains("e5");
  }

  @Test
  void aGoldFigureOffByOneIsAMismatchThatNamesTheRow() {
    List<ReferenceGold.TitleCountryDay> gold =
        new ArrayList<>(
            ReferenceGold.of(TRUTH, Map.of("t00001", 6_000_000L), GAP).titleCountryDays());
    ReferenceGold.TitleCountryDay row = gold.remove(0);
    gold.add(
        new ReferenceGold.TitleCountryDay(
            row.day(),
            row.titleId(),
            row.country(),
            row.starts(),
            row.uniqueViewers(),
            row.watchMs() + 1,
            row.completions(),
            row.completionRate(),
            row.sessions()));

    List<Check> checks = Verification.run(expected(), END, lake(gold), stream(null), SETTINGS);

    Check title =
        checks.stream().filter(c -> c.name().startsWith("daily title")).findFirst().orElseThrow();
    assertThat(title.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(title.details())
        .anySatisfy(
            d -> assertThat(d).startsWith("expected, missing").contains("watchMs=" + row.watchMs()))
        .anySatisfy(
            d ->
                assertThat(d)
                    .startsWith("found, not expected")
                    .contains("watchMs=" + (row.watchMs() + 1)));
    assertThat(Report.of(Instant.now(), 0, checks).verdict()).isEqualTo(Outcome.FAIL);
  }

  @Test
  void anEventSilverSetAsideBeyondItsRepairHorizonIsKnownNotAMismatch() {
    List<ViewingEvent> kept = TRUTH.stream().filter(e -> !e.eventId().equals("e5")).toList();
    ReferenceGold reference = ReferenceGold.of(kept, Map.of("t00001", 6_000_000L), GAP);
    Verification.Lake full = lake(null);
    java.util.function.Function<Set<String>, Verification.Lake> withoutE5 =
        beyond ->
            new Verification.Lake(
                full.bronzeOffsets(),
                full.bronzeEvents(),
                full.quarantine(),
                true,
                kept.stream().map(ViewingEvent::eventId).collect(Collectors.toSet()),
                ReferenceSessions.of(kept, GAP),
                true,
                reference.titleCountryDays(),
                reference.userDays(),
                full.maxEventTimeByPartition(),
                full.firstCopies(),
                beyond);

    List<Check> known =
        Verification.run(expected(), END, withoutE5.apply(Set.of("e5")), null, SETTINGS);
    assertThat(outcomes(known))
        .containsEntry(
            "known: events beyond the repair horizon, kept in silver_beyond_horizon", Outcome.PASS)
        .containsEntry("events (each unique event once)", Outcome.PASS)
        .containsEntry("daily user rows", Outcome.PASS);
    assertThat(Report.of(Instant.now(), 0, known).verdict()).isEqualTo(Outcome.PASS);

    List<Check> lost = Verification.run(expected(), END, withoutE5.apply(Set.of()), null, SETTINGS);
    assertThat(outcomes(lost)).containsEntry("events (each unique event once)", Outcome.FAIL);
  }

  @Test
  void bronzeBehindTheTopicIsNotReadyAndLeavesTheLaterStagesUncompared() {
    Verification.Lake behind = lake(null);
    Verification.Lake lagging =
        new Verification.Lake(
            Map.of(0, 5L),
            behind.bronzeEvents(),
            behind.quarantine(),
            true,
            Set.of(),
            List.of(),
            true,
            List.of(),
            List.of(),
            behind.maxEventTimeByPartition(),
            Map.of(),
            Set.of());

    List<Check> checks = Verification.run(expected(), END, lagging, null, SETTINGS);

    assertThat(outcomes(checks)).containsEntry("bronze caught up", Outcome.NOT_READY);
    assertThat(checks).noneMatch(c -> c.stage().equals("silver") || c.stage().equals("gold"));
    assertThat(Report.of(Instant.now(), 0, checks).verdict()).isEqualTo(Outcome.NOT_READY);
  }

  @Test
  void aSessionMissingFromTheStreamIsAMismatchUnlessItIsStillOpenAtTheWatermark() {
    List<ViewingEvent> accepted = TRUTH.stream().filter(e -> !e.eventId().equals("e5")).toList();
    List<ReferenceSession> all = ReferenceSessions.of(accepted, GAP);
    List<ReferenceSession> withoutLast =
        all.stream().filter(s -> s.start() != T0 + 120 * MINUTE).toList();
    List<ReferenceSession> withoutFirst =
        all.stream().filter(s -> !(s.userId().equals("u1") && s.start() == T0)).toList();

    // The watermark (10 h after T0) is past every session: none may be missing.
    assertThat(
            outcomes(Verification.run(expected(), END, lake(null), stream(withoutLast), SETTINGS)))
        .containsEntry("sessions (over the events it accepted)", Outcome.FAIL);

    // With the partition's newest event at T0 + 2 h, the session starting then is still open.
    Verification.Lake early = lake(null);
    Verification.Lake atTwoHours =
        new Verification.Lake(
            early.bronzeOffsets(),
            early.bronzeEvents(),
            early.quarantine(),
            true,
            early.silverEventIds(),
            early.silverSessions(),
            true,
            early.goldTitleCountryDays(),
            early.goldUserDays(),
            Map.of(0, T0 + 120 * MINUTE),
            early.firstCopies(),
            Set.of());
    Map<String, Outcome> open =
        outcomes(Verification.run(expected(), END, atTwoHours, stream(withoutLast), SETTINGS));
    assertThat(open)
        .containsEntry("sessions (over the events it accepted)", Outcome.PASS)
        .containsEntry("sessions still open", Outcome.INFO);
    assertThat(
            outcomes(Verification.run(expected(), END, atTwoHours, stream(withoutFirst), SETTINGS)))
        .containsEntry("sessions (over the events it accepted)", Outcome.FAIL);
  }

  @Test
  void aLateReSendOfAnAcceptedEventLeavesTheEventInItsSession() {
    // e2 was sent twice: its first copy (offset 1) is in u1's session, its re-send (offset 5)
    // arrived after the stream had forgotten the id and went to the late topic.
    List<LateEvent> late =
        List.of(
            new LateEvent("e5", "u2", T0 + 3 * MINUTE, 40 * MINUTE, 0, 4),
            new LateEvent("e2", "u1", T0 + MINUTE, 500 * MINUTE, 0, 5));
    Verification.Stream stream = new Verification.Stream(END, 0, late, stream(null).sessions());

    assertThat(outcomes(Verification.run(expected(), END, lake(null), stream, SETTINGS)))
        .containsEntry("sessions (over the events it accepted)", Outcome.PASS);

    // Had its first copy been the late one, u1's session would have to lack e2.
    Verification.Stream firstCopyLate =
        new Verification.Stream(
            END,
            0,
            List.of(late.get(0), new LateEvent("e2", "u1", T0 + MINUTE, MINUTE, 0, 1)),
            stream(null).sessions());
    assertThat(outcomes(Verification.run(expected(), END, lake(null), firstCopyLate, SETTINGS)))
        .containsEntry("sessions (over the events it accepted)", Outcome.FAIL);
  }

  @Test
  void aLateEventTheTruthDoesNotKnowIsAMismatch() {
    Verification.Stream stream =
        new Verification.Stream(
            END,
            0,
            List.of(new LateEvent("e-unknown", "u9", T0, MINUTE, 0, 6)),
            stream(null).sessions());

    assertThat(outcomes(Verification.run(expected(), END, lake(null), stream, SETTINGS)))
        .containsEntry("late events are events of the ground truth", Outcome.FAIL);
  }

  @Test
  void recordsDeletedByRetentionFailAsExpiredNamingThePartitionAndTheStreamIsStillCompared() {
    List<ReferenceSession> withoutU1 =
        ReferenceSessions.of(TRUTH, GAP).stream().filter(x -> !x.userId().equals("u1")).toList();

    List<Check> checks =
        Verification.run(expected(), Map.of(0, 3L), END, null, stream(withoutU1), SETTINGS, false);

    Check expired =
        checks.stream()
            .filter(c -> c.name().equals("records expired from the events topic"))
            .findFirst()
            .orElseThrow();
    assertThat(expired.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(expired.actual()).isEqualTo("3 expired (retention)");
    assertThat(expired.details()).first().asString().isEqualTo("partition 0: offsets 0..2 deleted");
    assertThat(outcomes(checks))
        .containsEntry("sessions (over the events it accepted)", Outcome.FAIL)
        .doesNotContainKey("bronze caught up");
  }

  @Test
  void aTopicThatKeptEveryRecordPassesTheExpiryCheck() {
    assertThat(outcomes(Verification.run(expected(), END, lake(null), stream(null), SETTINGS)))
        .containsEntry("records expired from the events topic", Outcome.PASS);
  }

  @Test
  void aLateEventWithinTheAllowedLatenessFailsNamingIt() {
    Verification.StreamSettings lenient =
        new Verification.StreamSettings(GAP, Duration.ofMinutes(1), Duration.ofHours(1));

    List<Check> checks = Verification.run(expected(), END, lake(null), stream(null), lenient);

    Check late =
        checks.stream()
            .filter(c -> c.name().equals("late events were later than the allowed lateness"))
            .findFirst()
            .orElseThrow();
    assertThat(late.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(late.details())
        .singleElement()
        .asString()
        .startsWith("e5 was 2400000 ms behind the watermark");
    assertThat(outcomes(Verification.run(expected(), END, lake(null), stream(null), SETTINGS)))
        .containsEntry("late events were later than the allowed lateness", Outcome.PASS);
  }
}
