package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.SILVER_BEYOND_HORIZON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.oracle.ReferenceGold;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.verify.LakeContents;
import org.keystonesandbox.verify.StreamOutputs;

/**
 * The same stream at three allowed latenesses (events sent aside, sessions re-emitted by late
 * updates, real-time sessions that differ from the batch answer), then the batch layer repairing a
 * batch three days late and keeping one eight days late aside, beyond its repair horizon.
 */
final class LateDataLab implements Lab {
  private static final List<String> LATENESSES = List.of("0s", "10m", "2h");
  private static final int REPAIRED = 30;
  private static final int BEYOND = 10;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String name() {
    return "late-data";
  }

  @Override
  public String summary() {
    return "allowed lateness 0 / 10 min / 2 h against the batch repair: what each sends aside and"
        + " gets wrong; 8 days late is beyond the horizon";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    report.step(
        "The generator writes 6,000 events over ten days of event time; 10 % arrive 10 min to 4 h"
            + " late; the chain builds silver and gold");
    run.produce(
        "--count",
        "6000",
        "--rate",
        "40",
        "--speedup",
        "6000",
        "--users",
        "300",
        "--seed",
        "61",
        "--late-rate",
        "0.1",
        "--min-lateness",
        "10m",
        "--max-lateness",
        "4h",
        "--malformed-rate",
        "0",
        "--partitions",
        "1");
    run.chain();
    List<ViewingEvent> generated = run.truth();
    LocalDate first = generated.stream().map(LabRun::day).min(LocalDate::compareTo).orElseThrow();
    LocalDate last = generated.stream().map(LabRun::day).max(LocalDate::compareTo).orElseThrow();

    report.step(
        "Two late batches arrive: "
            + REPAIRED
            + " heartbeats of "
            + last.minusDays(3)
            + " three days late, "
            + BEYOND
            + " of "
            + first
            + ", "
            + (last.toEpochDay() - first.toEpochDay())
            + " days before the newest events; the chain runs");
    List<ViewingEvent> threeDaysLate =
        LabRun.lateHeartbeats(generated, last.minusDays(3), REPAIRED, Duration.ofDays(3));
    List<ViewingEvent> eightDaysLate =
        LabRun.lateHeartbeats(
            generated, first, BEYOND, Duration.ofDays(last.toEpochDay() - first.toEpochDay()));
    List<ViewingEvent> batches = new ArrayList<>(threeDaysLate);
    batches.addAll(eightDaysLate);
    run.send(batches);
    run.chain();
    List<ViewingEvent> truth = run.truth();

    report.step("The stream job reads the same topic at three allowed latenesses");
    LakeContents lake = run.contents();
    List<ReferenceSession> batchSessions = lake.silverSessions();
    List<List<Object>> rows = new ArrayList<>();
    List<Figures> figures = new ArrayList<>();
    for (String lateness : LATENESSES) {
      LabRun.StreamJobState measured =
          run.streamJobWithStateSize("lateness-" + lateness, "--allowed-lateness", lateness);
      LabRun.StreamJobOutputs out = measured.outputs();
      List<ReferenceSession> sessions =
          StreamOutputs.sessions(run.readCommitted(out.sessionsTopic()));
      Set<String> lateIds = new HashSet<>();
      StreamOutputs.lateEvents(run.readCommitted(out.lateTopic()))
          .forEach(e -> lateIds.add(e.eventId()));
      Figures f =
          new Figures(
              lateness,
              lateIds.size(),
              reEmitted(run.readCommitted(out.sessionsTopic())),
              differing(sessions, batchSessions),
              sessions.stream().mapToLong(ReferenceSession::events).sum(),
              measured.stateBytes());
      figures.add(f);
      rows.add(
          List.of(
              lateness,
              f.late(),
              f.reEmitted(),
              f.differFromBatch(),
              f.sessionEvents() + f.late(),
              f.stateBytes()));
    }
    report.table(
        List.of(
            "allowed lateness",
            "events sent aside (late)",
            "sessions re-emitted by late updates",
            "sessions differing from batch",
            "in sessions + late",
            "state at the end, bytes"),
        rows);
    report.note(truth.size() + " unique events sent in all");
    report.note(
        "state at the end: the full size of the job's checkpoint once it had read the whole topic,"
            + " before the end of its input closed every session");

    report.step("The batch layer: repaired within its horizon, kept aside beyond it");
    Set<String> beyondIds = lake.beyondRepairHorizonIds();
    Set<String> expectedBeyond = new HashSet<>();
    eightDaysLate.forEach(e -> expectedBeyond.add(e.eventId()));
    List<ViewingEvent> repairable =
        truth.stream().filter(e -> !expectedBeyond.contains(e.eventId())).toList();
    ReferenceGold gold = run.referenceGold(repairable);
    boolean silverExact =
        lake.silverSessions().equals(ReferenceSessions.of(repairable, LabRun.GAP));
    boolean goldExact =
        lake.goldTitleCountryDays().equals(gold.titleCountryDays())
            && lake.goldUserDays().equals(gold.userDays());
    String query =
        "SELECT to_date(event_ts) AS day, count(*) AS events, min(reason) AS reason FROM "
            + run.table(SILVER_BEYOND_HORIZON)
            + " GROUP BY 1";
    report.query(query);
    report.table(
        List.of("late batch", "events", "in silver", "in silver_beyond_horizon"),
        List.of(
            List.of(
                "3 days late",
                (long) REPAIRED,
                count(lake.silverEventIds(), threeDaysLate),
                count(beyondIds, threeDaysLate)),
            List.of(
                "from " + first,
                (long) BEYOND,
                count(lake.silverEventIds(), eightDaysLate),
                count(beyondIds, eightDaysLate))));

    for (Figures f : figures) {
      report.check(
          "at " + f.lateness() + " every unique event is in a session or sent aside, once",
          f.sessionEvents() + f.late() == truth.size(),
          f.sessionEvents() + " + " + f.late() + " of " + truth.size());
    }
    Figures none = figures.get(0);
    Figures some = figures.get(1);
    Figures most = figures.get(2);
    report.check(
        "more allowed lateness sends fewer events aside",
        none.late() > some.late() && some.late() > most.late(),
        none.late() + " > " + some.late() + " > " + most.late());
    report.check(
        "with no allowed lateness nothing is re-emitted; with 2 h late updates re-emit sessions",
        none.reEmitted() == 0 && most.reEmitted() > 0,
        none.reEmitted() + " and " + most.reEmitted());
    report.check(
        "more allowed lateness brings the real-time sessions closer to the batch answer",
        none.differFromBatch() > most.differFromBatch(),
        none.differFromBatch() + " > " + most.differFromBatch());
    report.check(
        "the batch repaired the 3-day-late batch and kept the one from the first day aside",
        beyondIds.equals(expectedBeyond) && count(lake.silverEventIds(), threeDaysLate) == REPAIRED,
        beyondIds.size() + " beyond the horizon");
    report.check(
        "silver and gold equal the oracle over every event but those beyond the horizon",
        silverExact && goldExact,
        (silverExact ? "" : "silver differs ") + (goldExact ? "" : "gold differs"));
  }

  private record Figures(
      String lateness,
      long late,
      long reEmitted,
      long differFromBatch,
      long sessionEvents,
      long stateBytes) {}

  private static long count(Set<String> ids, List<ViewingEvent> events) {
    return events.stream().filter(e -> ids.contains(e.eventId())).count();
  }

  /** Session records the job wrote because a late event updated a session it had emitted. */
  private static long reEmitted(List<ConsumerRecord<byte[], byte[]>> records) throws IOException {
    long count = 0;
    for (ConsumerRecord<byte[], byte[]> record : records) {
      JsonNode session = JSON.readTree(record.value());
      if (session.path("updated_by_late").asBoolean() && !session.path("retracted").asBoolean()) {
        count++;
      }
    }
    return count;
  }

  /** Sessions in one list and not the other, both ways. */
  private static long differing(List<ReferenceSession> a, List<ReferenceSession> b) {
    Set<ReferenceSession> left = new HashSet<>(a);
    Set<ReferenceSession> right = new HashSet<>(b);
    long onlyLeft = a.stream().filter(s -> !right.contains(s)).count();
    long onlyRight = b.stream().filter(s -> !left.contains(s)).count();
    return onlyLeft + onlyRight;
  }
}
