package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.BRONZE_EVENTS;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.verify.StreamOutputs;

/**
 * kill -9 of the stream job and of the Spark chain at moments chosen at random (seeded, printed):
 * the restarted job resumes from its last checkpoint and a read_committed consumer sees each
 * session exactly as the oracle has it, while a read_uncommitted consumer also sees the aborted
 * records of the killed attempt; the rerun chain leaves bronze, silver and gold exact.
 */
final class ExactlyOnceLab implements Lab {
  private static final long SEED = 7;
  private static final String LABEL = "killed";

  @Override
  public String name() {
    return "exactly-once";
  }

  @Override
  public String summary() {
    return "kill -9 of the stream job and of the Spark chain at random moments: every stage exact;"
        + " read_uncommitted sees the aborted records";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    Random random = new Random(SEED);
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
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return run.produce(
                    false,
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
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
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
    List<ViewingEvent> flush = new ArrayList<>();
    int partitions = run.partitions();
    long flushTs = summary.lastEventTime().plus(Duration.ofDays(1)).toEpochMilli();
    for (int p = 0, user = 0; p < partitions; user++) {
      String userId = "flush-" + user;
      if (LabRun.partitionOf(userId, partitions) == p) {
        flush.add(
            new ViewingEvent(
                "flush-" + p,
                userId,
                "flush-" + p,
                "t00001",
                "tv",
                "US",
                EventType.PLAY_START,
                0,
                0,
                flushTs,
                flushTs));
        p++;
      }
    }
    run.send(flush);
    Set<String> flushUsers = new HashSet<>();
    flush.forEach(e -> flushUsers.add(e.userId()));
    List<ReferenceSession> oracle =
        ReferenceSessions.of(run.truth(), LabRun.GAP).stream()
            .filter(s -> !flushUsers.contains(s.userId()))
            .toList();
    report.note(
        "the job runs unbounded; one event a day after the rest in each of the "
            + partitions
            + " partitions closes every session");

    report.step("The job is started again: it resumes from its newest checkpoint");
    JarProcess.Running resumed =
        run.startStreamJob(LABEL, false, "output-resumed.txt", "--checkpoint-interval", "300ms");
    long restarted = System.nanoTime();
    List<ReferenceSession> sessions = List.of();
    try {
      while (System.nanoTime() - restarted < 120_000_000_000L && resumed.alive()) {
        sessions =
            StreamOutputs.sessions(run.readCommitted(sessionsTopic)).stream()
                .filter(s -> !flushUsers.contains(s.userId()))
                .toList();
        if (sessions.size() >= oracle.size()) {
          break;
        }
        Thread.sleep(500);
      }
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

    report.step(
        "The Spark chain (bronze, silver, gold, one run) starts; kill -9 at a random moment");
    long chainDelayMs = random.nextInt(4_000);
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
            run.folder().resolve("chain-killed.txt"));
    Path chainOutput = run.folder().resolve("chain-killed.txt");
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
    long expectedBronze = run.truth().size() + first.duplicates() + summary.duplicates();
    report.check(
        "bronze holds every valid record once: unique events plus re-sent copies",
        bronzeRows == expectedBronze,
        bronzeRows + " of " + expectedBronze);
    run.checkPipelineExact("after the kill and the rerun");
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
