package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.BRONZE_EVENTS;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.events.ParseResult;
import org.keystonesandbox.events.ViewingEventJson;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.verify.StreamOutputs;

/**
 * kill -9 of the stream job, of the Spark chain and of the broker at moments chosen at random
 * (seeded, printed): the restarted job resumes from its last checkpoint and a read_committed
 * consumer sees each session exactly as the oracle has it, while a read_uncommitted consumer also
 * sees the aborted records of the killed attempt; the rerun chain leaves bronze, silver and gold
 * exact; the job rides out the broker's restart and stays exact, and so do bronze, silver and gold
 * built after it. Then what the checkpoint interval costs: the same live stream read by two jobs,
 * committing every second and every ten seconds.
 */
final class ExactlyOnceLab implements Lab {
  private static final long SEED = 7;
  private static final String LABEL = "killed";

  /** The stream job's watermark delay in the latency runs, passed to it explicitly. */
  private static final Duration OUT_OF_ORDERNESS = Duration.ofMinutes(1);

  private static final List<String> CHECKPOINT_INTERVALS = List.of("1s", "10s");

  @Override
  public String name() {
    return "exactly-once";
  }

  @Override
  public String summary() {
    return "kill -9 of the stream job, the Spark chain and the broker: every stage exact;"
        + " read_uncommitted sees aborted records; latency against the checkpoint interval";
  }

  @Override
  public void run(LabRun run) throws Exception {
    Random random = new Random(SEED);
    long expectedBronze = killStreamJob(run, random);
    killChain(run, random, expectedBronze);
    killBroker(run, random);
    latencyAgainstCheckpointInterval(run);
  }

  /**
   * kill -9 of the stream job mid-stream, then a restart from its checkpoint.
   *
   * @return the records bronze must hold: every unique event and every re-sent copy
   */
  private static long killStreamJob(LabRun run, Random random) throws Exception {
    LabReport report = run.report();
    report.step("The generator writes 2,000 events; the stream job starts (checkpoints every 3 s)");
    RunSummary first =
        run.produce(
            "--count",
            "2000",
            "--rate",
            "400",
            "--users",
            "2000",
            "--seed",
            "70",
            "--late-rate",
            "0",
            "--malformed-rate",
            "0");
    JarProcess.Running job =
        run.startStreamJob(LABEL, true, "output-killed.txt", "--checkpoint-interval", "3s");
    Path checkpoints = run.streamJobFolder(LABEL).resolve("checkpoints");
    int completedBeforeKill = awaitCheckpoint(checkpoints, job);

    report.step(
        "The generator writes 80,000 more at 10,000 a second while the job reads them; after the"
            + " job's next checkpoint, kill -9 at a moment drawn with seed "
            + SEED);
    CompletableFuture<RunSummary> producing =
        produceLive(
            run,
            "--count",
            "80000",
            "--rate",
            "10000",
            "--speedup",
            "180000",
            "--users",
            "2000",
            "--seed",
            "71",
            "--late-rate",
            "0",
            "--malformed-rate",
            "0",
            "--start",
            first.lastEventTime().plus(Duration.ofMinutes(1)).toString());
    int before = completedBeforeKill;
    while (job.alive() && newestCheckpoint(checkpoints) == before) {
      Thread.sleep(20);
    }
    completedBeforeKill = newestCheckpoint(checkpoints);
    long delayMs = 1_000 + random.nextInt(1_500); // before the next checkpoint, 3 s on
    Thread.sleep(delayMs);
    boolean killedMidRun = job.alive() && !producing.isDone();
    job.kill();
    report.note(
        "kill -9 "
            + delayMs
            + " ms after its checkpoint "
            + completedBeforeKill
            + ", before the next; "
            + (killedMidRun ? "events were still arriving" : "the stream had already ended"));
    String sessionsTopic = run.streamJobTopics(LABEL).sessionsTopic();
    int uncommittedAfterKill = run.readUncommitted(sessionsTopic).size();
    int committedAfterKill = run.readCommitted(sessionsTopic).size();
    RunSummary summary = producing.get();

    // The job runs unbounded (a restored bounded Kafka source never finishes); one event a day
    // later in every partition moves the watermark past every session, so all of them close.
    Set<String> flushUsers = run.closeEverySession(summary.lastEventTime());
    List<ReferenceSession> oracle =
        LabRun.sessionsWithout(flushUsers, ReferenceSessions.of(run.truth(), LabRun.GAP));
    report.note(
        "the job runs unbounded; one event a day after the rest in each of the "
            + flushUsers.size()
            + " partitions closes every session");

    report.step("The job is started again: it resumes from its newest checkpoint");
    JarProcess.Running resumed =
        run.startStreamJob(LABEL, false, "output-resumed.txt", "--checkpoint-interval", "300ms");
    long restarted = System.nanoTime();
    List<ReferenceSession> sessions;
    try {
      sessions =
          run.awaitCommittedSessions(sessionsTopic, flushUsers, resumed, Duration.ofMinutes(2));
    } finally {
      resumed.kill();
    }
    report.note(
        "every session committed within "
            + (System.nanoTime() - restarted) / 1_000_000
            + " ms of the restart; the job is stopped");
    String resumedFrom =
        Files.readAllLines(run.streamJobFolder(LABEL).resolve("output-resumed.txt")).stream()
            .filter(line -> line.contains("resuming from"))
            .findFirst()
            .orElse("(no checkpoint found: it started over)");
    report.note(resumedFrom.replaceFirst("^.*?resuming", "resuming"));
    int committed = run.readCommitted(sessionsTopic).size();
    int uncommitted = run.readUncommitted(sessionsTopic).size();
    report.table(
        List.of("sessions topic", "records", "sessions after the upsert"),
        List.of(
            List.of("read_uncommitted, right after the kill", (long) uncommittedAfterKill, "-"),
            List.of("read_committed, right after the kill", (long) committedAfterKill, "-"),
            List.of("read_uncommitted, at the end", (long) uncommitted, "-"),
            List.of("read_committed, at the end", (long) committed, (long) sessions.size()),
            List.of("oracle", "-", (long) oracle.size())));
    report.check(
        "the job was killed mid-stream, after a checkpoint",
        killedMidRun && completedBeforeKill > 0,
        "checkpoint " + completedBeforeKill + " completed before the kill");
    report.check(
        "a read_uncommitted consumer sees records a read_committed one never does",
        uncommitted > committed,
        (uncommitted - committed) + " records of aborted transactions");
    report.check(
        "read_committed, every session is exactly the oracle's",
        sessions.equals(oracle),
        oracle.size() + " sessions");
    return run.truth().size() + first.duplicates() + summary.duplicates();
  }

  /** kill -9 of the Spark chain at a random moment, then a rerun. */
  private static void killChain(LabRun run, Random random, long expectedBronze) throws Exception {
    LabReport report = run.report();
    report.step(
        "The Spark chain (bronze, silver, gold, one run) starts; kill -9 at a random moment");
    long chainDelayMs = random.nextInt(4_000);
    Path chainOutput = run.folder().resolve("chain-killed.txt");
    JarProcess.Running chain =
        JarProcess.start(
            "the batch chain",
            new Jars(Jars.homeOf(LabCommand.class)).find(Jars.BATCH_JOB),
            List.of("-Xmx768m"),
            List.of(
                "chain",
                "--runs",
                "1",
                "--bootstrap-server",
                run.bootstrapServers(),
                "--topic",
                run.topic(),
                "--warehouse",
                run.lake().warehouse().toString(),
                "--namespace",
                run.lake().namespace(),
                "--titles",
                run.titlesFile().toString(),
                "--run-log",
                run.folder().resolve("batch-runs.jsonl").toString(),
                "--master",
                "local[1]",
                "--ui-port",
                "0"),
            chainOutput);
    long chainStarted = System.nanoTime();
    while (chain.alive()
        && Files.size(chainOutput) == 0
        && System.nanoTime() - chainStarted < 120_000_000_000L) {
      Thread.sleep(50); // Spark starting: nothing to kill yet
    }
    Thread.sleep(chainDelayMs);
    boolean chainMidRun = chain.alive();
    chain.kill();
    List<String> chainSaid = Files.readAllLines(chainOutput);
    report.note(
        "kill -9 "
            + chainDelayMs
            + " ms after its first line; "
            + (chainMidRun ? "it was still running" : "it had already finished")
            + "; its last line: "
            + (chainSaid.isEmpty() ? "(none)" : chainSaid.get(chainSaid.size() - 1)));

    report.step("The chain runs again");
    run.chain();
    long bronzeRows = run.spark().table(run.table(BRONZE_EVENTS)).count();
    report.check(
        "bronze holds every valid record once: unique events plus re-sent copies",
        bronzeRows == expectedBronze,
        bronzeRows + " of " + expectedBronze);
    run.checkPipelineExact("after the kill and the rerun");
  }

  /**
   * kill -9 of a broker the lab runs as a process of its own, while the stream job reads from it
   * and writes to it in transactions; the broker starts again on the same port and log, so the
   * job's Kafka clients, which know its address, find it again.
   */
  private static void killBroker(LabRun run, Random random) throws Exception {
    LabReport report = run.report();
    try (BrokerProcess broker = BrokerProcess.start(run.folder().resolve("broker"))) {
      LabRun part = run.part("broker", broker.bootstrapServers());
      report.step(
          "A broker of the lab's own starts in a process of its own on "
              + broker.bootstrapServers()
              + "; the generator writes 2,000 events to it and a stream job starts on it"
              + " (checkpoints every 1 s)");
      RunSummary first =
          part.produce(
              "--count",
              "2000",
              "--users",
              "2000",
              "--seed",
              "72",
              "--late-rate",
              "0",
              "--malformed-rate",
              "0");
      FlinkJobRest flink = new FlinkJobRest();
      JarProcess.Running job =
          part.startStreamJob(
              LABEL, true, "output.txt", withRest(flink, "--checkpoint-interval", "1s"));
      try {
        String jobId = flink.awaitRunning(job, Duration.ofMinutes(2));
        report.step(
            "The generator writes 20,000 more at 5,000 a second while the job reads them; kill -9"
                + " of the broker at a moment drawn with seed "
                + SEED
                + ", then it starts again on the same port and log");
        CompletableFuture<RunSummary> producing =
            produceLive(
                part,
                "--count",
                "20000",
                "--rate",
                "5000",
                "--speedup",
                "180000",
                "--users",
                "2000",
                "--seed",
                "73",
                "--late-rate",
                "0",
                "--malformed-rate",
                "0",
                // the generator waits for the broker to come back instead of giving up
                "--connect-timeout",
                "60s",
                "--start",
                first.lastEventTime().plus(Duration.ofMinutes(1)).toString());
        long delayMs = 500 + random.nextInt(2_000);
        Thread.sleep(delayMs);
        boolean killedMidRun = job.alive() && !producing.isDone();
        long killed = System.nanoTime();
        broker.kill();
        broker.startAgain();
        report.note(
            "kill -9 of the broker "
                + delayMs
                + " ms into the stream; "
                + (killedMidRun ? "events were still arriving" : "the stream had already ended")
                + "; it answered again "
                + (System.nanoTime() - killed) / 1_000_000
                + " ms after the kill");
        String sessionsTopic = part.streamJobTopics(LABEL).sessionsTopic();
        int uncommittedAfterRestart = part.readUncommitted(sessionsTopic).size();
        int committedAfterRestart = part.readCommitted(sessionsTopic).size();
        RunSummary second = producing.get();
        Set<String> flushUsers = part.closeEverySession(second.lastEventTime());
        List<ReferenceSession> oracle =
            LabRun.sessionsWithout(flushUsers, ReferenceSessions.of(part.truth(), LabRun.GAP));
        List<ReferenceSession> sessions =
            part.awaitCommittedSessions(sessionsTopic, flushUsers, job, Duration.ofMinutes(2));
        report.note(
            "Flink restarted the job " + flink.restarts(jobId) + " times (its metric numRestarts)");
        long eventRecords = part.readCommitted(part.topic()).size();
        long sent = first.records() + second.records() + flushUsers.size();
        report.table(
            List.of("sessions topic", "records", "sessions after the upsert"),
            List.of(
                List.of(
                    "read_uncommitted, after the broker's restart",
                    (long) uncommittedAfterRestart,
                    "-"),
                List.of(
                    "read_committed, after the broker's restart",
                    (long) committedAfterRestart,
                    "-"),
                List.of(
                    "read_uncommitted, at the end",
                    (long) part.readUncommitted(sessionsTopic).size(),
                    "-"),
                List.of(
                    "read_committed, at the end",
                    (long) part.readCommitted(sessionsTopic).size(),
                    (long) sessions.size()),
                List.of("oracle", "-", (long) oracle.size())));
        report.check(
            "the broker was killed while the job read and wrote, and came back on its port and log",
            killedMidRun,
            killedMidRun ? "events were still arriving" : "the stream had already ended");
        report.check(
            "the events topic holds every record the generator sent, once",
            eventRecords == sent,
            eventRecords + " of " + sent);
        report.check(
            "read_committed, every session is exactly the oracle's after the broker's kill -9",
            sessions.equals(oracle),
            oracle.size() + " sessions");

        report.step("The chain builds bronze, silver and gold from the restarted broker's topic");
        part.chain();
        long bronzeRows = part.spark().table(part.table(BRONZE_EVENTS)).count();
        report.check(
            "after the broker's kill -9, bronze holds every record of the events topic once",
            bronzeRows == eventRecords,
            bronzeRows + " of " + eventRecords);
        part.checkPipelineExact("after the broker's kill -9");
      } finally {
        job.kill();
      }
    }
  }

  /**
   * Two stream jobs read one live stream, one committing every second, the other every ten; for
   * each session, the wall time from the Kafka timestamp of the record that closed it to the moment
   * a read_committed consumer received it.
   */
  private static void latencyAgainstCheckpointInterval(LabRun run) throws Exception {
    LabReport report = run.report();
    LabRun part = run.part("latency", run.bootstrapServers());
    report.step(
        "A topic of one partition gets 500 events; two stream jobs start on it, one committing"
            + " every "
            + String.join(", the other every ", CHECKPOINT_INTERVALS));
    List<String> oneCleanPartition =
        List.of(
            "--partitions",
            "1",
            "--users",
            "1000",
            "--late-rate",
            "0",
            "--duplicate-rate",
            "0",
            "--malformed-rate",
            "0");
    RunSummary first = part.produce(flags(oneCleanPartition, "--count", "500", "--seed", "80"));
    List<LatencyJob> jobs = new ArrayList<>();
    try {
      for (String interval : CHECKPOINT_INTERVALS) {
        jobs.add(LatencyJob.start(part, interval));
      }
      for (LatencyJob job : jobs) {
        job.rest().awaitRunning(job.process(), Duration.ofMinutes(2));
      }
      List<List<Object>> rows = new ArrayList<>();
      List<Long> medians = new ArrayList<>();
      List<Boolean> exact = new ArrayList<>();
      int closedByStream;
      int oracleSize;
      List<String> topics = jobs.stream().map(LatencyJob::sessionsTopic).toList();
      try (CommittedArrivals arrivals = CommittedArrivals.start(part.bootstrapServers(), topics)) {
        report.step(
            "The generator writes 15,000 more at 1,000 a second while both jobs read them; a"
                + " read_committed consumer notes when it receives each session");
        long liveFrom = System.currentTimeMillis();
        RunSummary live =
            part.produce(
                false,
                flags(
                    oneCleanPartition,
                    "--count",
                    "15000",
                    "--rate",
                    "1000",
                    "--speedup",
                    "1800",
                    "--seed",
                    "81",
                    "--start",
                    first.lastEventTime().plus(Duration.ofMinutes(1)).toString()));
        long liveUntil = System.currentTimeMillis();
        Set<String> flushUsers = part.closeEverySession(live.lastEventTime());
        List<ReferenceSession> oracle =
            LabRun.sessionsWithout(flushUsers, ReferenceSessions.of(part.truth(), LabRun.GAP));
        oracleSize = oracle.size();
        Map<SessionKey, Long> closedAt =
            closingTimes(part.readCommitted(part.topic()), oracle, liveFrom, liveUntil);
        closedByStream = closedAt.size();
        for (LatencyJob job : jobs) {
          List<ReferenceSession> sessions =
              part.awaitCommittedSessions(
                  job.sessionsTopic(), flushUsers, job.process(), Duration.ofMinutes(1));
          exact.add(sessions.equals(oracle));
          int committed = part.readCommitted(job.sessionsTopic()).size();
          List<Long> latencies =
              latencies(
                  arrivals.await(job.sessionsTopic(), committed, Duration.ofSeconds(30)), closedAt);
          medians.add(percentile(latencies, 50));
          rows.add(
              List.of(
                  job.interval(),
                  (long) latencies.size(),
                  percentile(latencies, 50) / 1000.0,
                  percentile(latencies, 95) / 1000.0));
        }
      }
      report.table(
          List.of("checkpoint interval", "sessions measured", "median latency, s", "p95, s"), rows);
      report.note(
          "latency: from the Kafka timestamp of the event that closed the session (the first whose"
              + " event time took the watermark past the session's last event plus the gap) to"
              + " the moment a read_committed consumer received the session; "
              + closedByStream
              + " of the "
              + oracleSize
              + " sessions were closed by the live stream");
      for (int i = 0; i < jobs.size(); i++) {
        report.check(
            "committing every "
                + jobs.get(i).interval()
                + ", every session is exactly the oracle's",
            exact.get(i),
            oracleSize + " sessions");
      }
      report.check(
          "committing every "
              + CHECKPOINT_INTERVALS.get(1)
              + " makes sessions visible later than every "
              + CHECKPOINT_INTERVALS.get(0),
          closedByStream > 0 && medians.get(1) > medians.get(0),
          "median " + medians.get(1) + " ms against " + medians.get(0) + " ms");
    } finally {
      for (LatencyJob job : jobs) {
        job.process().kill();
      }
    }
  }

  /** A stream job of the latency part: it commits every {@code interval}. */
  private record LatencyJob(
      String interval, String sessionsTopic, FlinkJobRest rest, JarProcess.Running process) {
    static LatencyJob start(LabRun part, String interval) throws IOException {
      String label = "every-" + interval;
      FlinkJobRest rest = new FlinkJobRest();
      JarProcess.Running process =
          part.startStreamJob(
              label,
              true,
              "output.txt",
              withRest(
                  rest,
                  "--checkpoint-interval",
                  interval,
                  "--out-of-orderness",
                  OUT_OF_ORDERNESS.toSeconds() + "s"));
      return new LatencyJob(interval, part.streamJobTopics(label).sessionsTopic(), rest, process);
    }
  }

  /** {@code common} and then {@code more}, as one array of flags. */
  private static String[] flags(List<String> common, String... more) {
    List<String> all = new ArrayList<>(common);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  /** A session as the sessions topic keys it. */
  private record SessionKey(String userId, long start) {}

  /**
   * The Kafka timestamp of the record that closes each session, for the sessions a record sent
   * between {@code from} and {@code until} closes. One partition and a watermark after every event:
   * the watermark after a record is the largest event time read so far minus the out-of-orderness
   * and 1 ms, and the job emits a session as soon as the watermark passes its last event plus the
   * gap, so the record that first takes it there closes the session.
   */
  private static Map<SessionKey, Long> closingTimes(
      List<ConsumerRecord<byte[], byte[]>> events,
      List<ReferenceSession> sessions,
      long from,
      long until) {
    List<ReferenceSession> byEnd =
        sessions.stream().sorted(Comparator.comparingLong(ReferenceSession::end)).toList();
    Map<SessionKey, Long> closedAt = new HashMap<>();
    long largestEventTs = Long.MIN_VALUE;
    int next = 0;
    for (ConsumerRecord<byte[], byte[]> record : events) {
      if (ViewingEventJson.parse(record.value(), record.timestamp())
          instanceof ParseResult.Valid valid) {
        largestEventTs = Math.max(largestEventTs, valid.event().eventTs());
      }
      if (largestEventTs == Long.MIN_VALUE) {
        continue;
      }
      long watermark = largestEventTs - OUT_OF_ORDERNESS.toMillis() - 1;
      while (next < byEnd.size() && watermark > byEnd.get(next).end() + LabRun.GAP.toMillis()) {
        ReferenceSession closed = byEnd.get(next++);
        if (record.timestamp() >= from && record.timestamp() <= until) {
          closedAt.put(new SessionKey(closed.userId(), closed.start()), record.timestamp());
        }
      }
    }
    return closedAt;
  }

  /** For each session in {@code closedAt}: when its first record arrived, minus when it closed. */
  private static List<Long> latencies(
      List<CommittedArrivals.Arrival> arrivals, Map<SessionKey, Long> closedAt) {
    List<StreamOutputs.SessionVersion> versions =
        StreamOutputs.sessionVersions(
            arrivals.stream().map(CommittedArrivals.Arrival::record).toList());
    Map<SessionKey, Long> firstSeen = new HashMap<>();
    for (int i = 0; i < versions.size(); i++) {
      StreamOutputs.SessionVersion version = versions.get(i);
      firstSeen.putIfAbsent(
          new SessionKey(version.userId(), version.start()), arrivals.get(i).receivedAtMs());
    }
    List<Long> latencies = new ArrayList<>();
    closedAt.forEach(
        (session, closed) -> {
          Long seen = firstSeen.get(session);
          if (seen != null) { // else the session is missing, which the oracle check reports
            latencies.add(seen - closed);
          }
        });
    latencies.sort(null);
    return latencies;
  }

  /** The nearest-rank percentile of sorted values; 0 for none. */
  private static long percentile(List<Long> sorted, int percent) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  /** {@code flags} and the flags that put the job's REST API where {@code flink} looks. */
  private static String[] withRest(FlinkJobRest flink, String... flags) {
    return flags(List.of(flags), flink.flags().toArray(String[]::new));
  }

  /** Runs the generator at its {@code --rate} in the background: a stream a job reads live. */
  private static CompletableFuture<RunSummary> produceLive(LabRun run, String... flags) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return run.produce(false, flags);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** Waits until the job completed a checkpoint (or ended); returns the newest one's number. */
  private static int awaitCheckpoint(Path checkpoints, JarProcess.Running job)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline && job.alive()) {
      int newest = newestCheckpoint(checkpoints);
      if (newest > 0) {
        return newest;
      }
      Thread.sleep(20);
    }
    return newestCheckpoint(checkpoints);
  }

  /** The number of the newest completed checkpoint (its {@code chk-N/_metadata} written), or 0. */
  private static int newestCheckpoint(Path checkpoints) throws IOException {
    if (!Files.isDirectory(checkpoints)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(checkpoints, 3)) {
      return files
          .filter(p -> p.getFileName().toString().equals("_metadata"))
          .map(p -> p.getParent().getFileName().toString())
          .filter(name -> name.startsWith("chk-"))
          .mapToInt(name -> Integer.parseInt(name.substring("chk-".length())))
          .max()
          .orElse(0);
    }
  }
}
