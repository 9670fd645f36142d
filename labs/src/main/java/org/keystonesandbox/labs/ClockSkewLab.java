package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.BRONZE_QUARANTINE;
import static org.keystonesandbox.events.names.PipelineNames.GOLD_USER_DAILY;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.spark.sql.Row;
import org.keystonesandbox.events.ParseResult;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.ViewingEventJson;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.verify.StreamOutputs;

/**
 * Clients whose clocks run a year ahead, in both of their times, send records between two busy
 * stretches of the stream, while the stream job reads it live. Judged against the Kafka record's
 * timestamp they are dead letters: the job's watermark, read from Flink's REST API before and after
 * them, does not move, nothing after them is late, and no day a year ahead appears in gold.
 */
final class ClockSkewLab implements Lab {
  private static final Duration AHEAD = Duration.ofDays(365);

  @Override
  public String name() {
    return "clock-skew";
  }

  @Override
  public String summary() {
    return "records from clocks a year ahead are dead letters: the watermark and the days stay put";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    report.step("The generator writes 2,000 events");
    RunSummary first =
        run.produce(
            "--count",
            "2000",
            "--rate",
            "40",
            "--users",
            "200",
            "--seed",
            "51",
            "--late-rate",
            "0",
            "--malformed-rate",
            "0");

    report.step(
        "The stream job (its own jar, live) reads them; its watermark from Flink's REST API");
    try (LabRun.LiveStreamJob job = run.startLiveStreamJob("guarded", "--idleness", "30s")) {
      long before = job.watermarkOnceCaughtUp();
      runWithJob(run, report, first, job, before);
    }
  }

  private void runWithJob(
      LabRun run, LabReport report, RunSummary first, LabRun.LiveStreamJob job, long before)
      throws Exception {
    List<ViewingEvent> truth = run.truth();
    int partitions = run.partitions();
    report.step(
        "In each of the topic's "
            + partitions
            + " partitions, a client with its clock a year ahead sends one event");
    List<List<Object>> rows = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int partition = 0; partition < partitions; partition++) {
      int wanted = partition;
      ViewingEvent real =
          truth.stream()
              .filter(e -> LabRun.partitionOf(e.userId(), partitions) == wanted)
              .findFirst()
              .orElseThrow();
      ViewingEvent ahead =
          new ViewingEvent(
              "wrong-clock-" + partition,
              real.userId(),
              real.playbackId(),
              real.titleId(),
              real.device(),
              real.country(),
              real.eventType(),
              real.positionMs(),
              real.playMs(),
              now + AHEAD.toMillis(),
              now + AHEAD.toMillis());
      String json = new String(ViewingEventJson.newEncoder().encode(ahead), StandardCharsets.UTF_8);
      boolean ownTimesAgree =
          ViewingEventJson.parse(json.getBytes(StandardCharsets.UTF_8))
              instanceof ParseResult.Valid;
      rows.add(
          List.of(
              ahead.userId(),
              partition,
              Instant.ofEpochMilli(ahead.eventTs()).toString(),
              ownTimesAgree ? "valid" : "rejected"));
      run.sendMalformed(ahead.userId(), List.of(json));
    }
    report.table(
        List.of("user", "partition", "event_ts = sent_ts", "judged by the client's own times"),
        rows);

    long afterWrongClocks = job.watermarkOnceCaughtUp();

    report.step("The generator writes 2,000 more events, then the chain runs");
    RunSummary second =
        run.produce(
            "--count",
            "2000",
            "--rate",
            "40",
            "--users",
            "200",
            "--seed",
            "52",
            "--late-rate",
            "0",
            "--malformed-rate",
            "0",
            "--start",
            first.lastEventTime().plus(Duration.ofMinutes(10)).toString());
    long afterMore = job.watermarkOnceCaughtUp();
    LabRun.StreamJobOutputs stream = job.finish();
    truth = run.truth();
    run.chain();
    int wrongClocks = partitions;
    report.note(stream.totals());
    long wrongClockTime = now + AHEAD.toMillis();
    long lastReal = second.lastEventTime().toEpochMilli();
    report.table(
        List.of("the stream job's watermark (REST, currentInputWatermark)", "measured", "expected"),
        List.of(
            List.of(
                "after the first 2,000 events",
                Instant.ofEpochMilli(before).toString(),
                "their event time less the out-of-orderness"),
            List.of(
                "after the wrong-clock records (event_ts "
                    + Instant.ofEpochMilli(wrongClockTime)
                    + ")",
                Instant.ofEpochMilli(afterWrongClocks).toString(),
                Instant.ofEpochMilli(before).toString()),
            List.of(
                "after 2,000 more events (the last at " + second.lastEventTime() + ")",
                Instant.ofEpochMilli(afterMore).toString(),
                "before " + second.lastEventTime())));

    long deadLetters = 0;
    String detail = "";
    for (ConsumerRecord<byte[], byte[]> record : run.readCommitted(stream.deadLetterTopic())) {
      if ("FUTURE_TIMESTAMP".equals(LabRun.header(record, "reject.reason"))) {
        deadLetters++;
        detail = LabRun.header(record, "reject.detail");
      }
    }
    long quarantined =
        run.spark()
            .sql(
                "SELECT count(*) FROM "
                    + run.table(BRONZE_QUARANTINE)
                    + " WHERE reject_reason = 'FUTURE_TIMESTAMP'")
            .first()
            .getLong(0);
    long late = StreamOutputs.lateEvents(run.readCommitted(stream.lateTopic())).size();
    LocalDate lastTrueDay = truth.stream().map(LabRun::day).max(LocalDate::compareTo).orElseThrow();
    String days =
        "SELECT min(day), max(day), count(DISTINCT day) FROM " + run.table(GOLD_USER_DAILY);
    Row gold = run.spark().sql(days).first();
    report.table(
        List.of("figure", "measured", "expected"),
        List.of(
            List.of("dead letters FUTURE_TIMESTAMP (stream job)", deadLetters, (long) wrongClocks),
            List.of("quarantined FUTURE_TIMESTAMP (bronze)", quarantined, (long) wrongClocks),
            List.of("late events after them", (long) late, 0L),
            List.of(
                "last day in gold_user_daily",
                gold.getDate(1).toString(),
                lastTrueDay.toString())));
    report.note("the reason given: " + detail);
    report.query(days);
    report.query(
        "SELECT reject_reason, reject_detail FROM " + run.table(BRONZE_QUARANTINE) + " LIMIT 4");
    report.check(
        "every wrong-clock record is a dead letter and quarantined as FUTURE_TIMESTAMP",
        deadLetters == wrongClocks && quarantined == wrongClocks,
        deadLetters + " dead letters, " + quarantined + " quarantined");
    report.check(
        "the wrong-clock records did not move the watermark, and it then followed the real events"
            + " only",
        afterWrongClocks == before && afterMore > before && afterMore <= lastReal,
        "before "
            + Instant.ofEpochMilli(before)
            + ", after them "
            + Instant.ofEpochMilli(afterWrongClocks)
            + ", after the next events "
            + Instant.ofEpochMilli(afterMore));
    report.check(
        "no event after them was late: had the partitions' watermarks jumped a year, every later"
            + " event would be late",
        late == 0,
        late + " late events");
    report.check(
        "gold has no day beyond the last real one",
        gold.getDate(1).toLocalDate().equals(lastTrueDay),
        "last day " + gold.getDate(1));
    report.check(
        "the stream job's sessions equal the oracle",
        StreamOutputs.sessions(run.readCommitted(stream.sessionsTopic()))
            .equals(ReferenceSessions.of(truth, LabRun.GAP)),
        ReferenceSessions.of(truth, LabRun.GAP).size() + " sessions");
    run.checkPipelineExact("with the wrong clocks in the topic");
  }
}
