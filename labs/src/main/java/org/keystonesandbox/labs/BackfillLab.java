package org.keystonesandbox.labs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.keystonesandbox.events.names.PipelineNames.BRONZE_EVENTS;
import static org.keystonesandbox.events.names.PipelineNames.GOLD_COMPLETIONS;
import static org.keystonesandbox.events.names.PipelineNames.GOLD_TITLE_COUNTRY_DAILY;
import static org.keystonesandbox.events.names.PipelineNames.GOLD_USER_DAILY;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_BEYOND_HORIZON;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_EVENTS;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_SESSIONS;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.apache.iceberg.ManageSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.keystonesandbox.batch.bronze.BronzeJob;
import org.keystonesandbox.batch.gold.GoldJob;
import org.keystonesandbox.batch.gold.JoinStrategy;
import org.keystonesandbox.batch.lake.Days;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.silver.Sessionizer;
import org.keystonesandbox.batch.silver.SilverJob;
import org.keystonesandbox.batch.sql.SqlConsole;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceGold;
import org.keystonesandbox.oracle.ReferenceGold.TitleCountryDay;
import org.keystonesandbox.oracle.ReferenceGold.UserDay;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.verify.LakeContents;

/**
 * Silver and gold rebuilt after a bug while the chain keeps committing to main. First the sessions
 * of two days written straight to main under serializable isolation: a live commit makes the first
 * attempt fail, the retry commits on top. Then the whole history rebuilt by the jobs on a
 * write-audit-publish branch and audited against the oracle; the fast-forward is refused because
 * main moved; within the chain's turn the branch replays the live increments, is audited again, and
 * main is rolled back to the cut and fast-forwarded to the branch.
 */
final class BackfillLab implements Lab {
  static final String BRANCH = "backfill";
  private static final String MAIN = SnapshotRef.MAIN_BRANCH;

  /** The session gap the bug deployed; the fix and the oracle use {@link LabRun#GAP}. */
  static final Duration DEPLOYED_GAP = Duration.ofMinutes(10);

  static final int LATE_EVENTS = 40;
  static final int LIVE_EVENTS = 150;

  /** The silver and gold tables a backfill rewrites, in the order the chain writes them. */
  static final List<String> REBUILT =
      List.of(
          SILVER_EVENTS,
          SILVER_BEYOND_HORIZON,
          SILVER_SESSIONS,
          GOLD_TITLE_COUNTRY_DAILY,
          GOLD_COMPLETIONS,
          GOLD_USER_DAILY);

  /** A snapshot property the lab's own direct writes carry, to tell them from the chain's. */
  static final String BACKFILL_PROPERTY = "keystone.backfill";

  private static final int MAX_ATTEMPTS = 5;

  @Override
  public String name() {
    return "backfill";
  }

  @Override
  public String summary() {
    return "silver and gold rebuilt while the chain commits: on a branch, audited and"
        + " fast-forwarded; straight to main, a commit conflict and its retry";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    report.step(
        "The generator writes 3,000 events over three days; the chain runs with the session gap"
            + " deployed as "
            + DEPLOYED_GAP.toMinutes()
            + " min instead of "
            + LabRun.GAP.toMinutes()
            + " (the bug)");
    RunSummary first =
        run.produce(
            "--count", "3000", "--rate", "8", "--users", "300", "--late-rate", "0", "--seed", "5");
    new BronzeJob(run.spark(), run.lake())
        .run(new BronzeJob.Settings(run.bootstrapServers(), run.topic()));
    new SilverJob(run.spark(), run.lake()).run(new SilverJob.Settings(DEPLOYED_GAP, false));
    new GoldJob(run.spark(), run.lake()).run(new GoldJob.Settings(run.titlesFile()));
    for (String table : REBUILT) {
      run.spark()
          .sql(
              "ALTER TABLE "
                  + run.table(table)
                  + " SET TBLPROPERTIES ('write.wap.enabled'='true')");
    }
    report.note(
        "write-audit-publish enabled on the six silver and gold tables: a session that names a"
            + " branch\n(spark.wap.branch) reads and writes that branch of them");
    report.query(
        "ALTER TABLE "
            + run.table(SILVER_SESSIONS)
            + " SET TBLPROPERTIES ('write.wap.enabled'='true')");
    List<ViewingEvent> setupTruth = run.truth();
    Rows before = Rows.read(run.contents());
    Map<LocalDate, Integer> sessionsBefore = sessionsByDay(before.sessions());
    List<String> damage = differences(run, before, setupTruth);
    report.check(
        "the deployed gap left silver and gold different from the oracle",
        !damage.isEmpty(),
        damage.isEmpty() ? "nothing differs" : String.join(", ", damage));

    report.step(
        "The fix is deployed: the live chain ("
            + LabRun.GAP.toMinutes()
            + "-min gap) runs on main from now on, on its own thread, each run on "
            + LIVE_EVENTS
            + " new events");
    try (LiveChain live =
        new LiveChain(
            run, first.lastEventTime().plus(Duration.ofHours(1)), bronzeHead(run), setupTruth)) {
      Direct direct = direct(run, live, setupTruth, sessionsBefore);
      int published = onBranch(run, live, direct);

      report.step("The live chain goes on on main from the published tables");
      live.awaitFinished(published + 1);
      live.stop();
      report.table(
          List.of(
              "live chain on main",
              "runs",
              "events per run",
              "median run (s)",
              "longest wait for its turn (ms)"),
          List.of(
              List.of(
                  "from the fix to the end",
                  (long) live.finished(),
                  (long) LIVE_EVENTS,
                  live.medianRunSeconds(),
                  live.longestWaitMillis())));
    }
    run.checkPipelineExact("after the publish and a live run on the published tables");
    report.query("SELECT name, type, snapshot_id FROM " + run.table(SILVER_SESSIONS) + ".refs");
  }

  /** What the direct variant rewrote, and the live run that must follow it. */
  private record Direct(List<LocalDate> days, int liveRunsStarted) {}

  /**
   * The direct variant: sessions of the two oldest days rebuilt with the fixed gap and written over
   * main's, validated from the snapshot the rebuild read; a live run brings late events of the
   * second day in between, so the first attempt conflicts and the retry commits on top.
   */
  private static Direct direct(
      LabRun run,
      LiveChain live,
      List<ViewingEvent> setupTruth,
      Map<LocalDate, Integer> sessionsBefore)
      throws Exception {
    LabReport report = run.report();
    List<LocalDate> days = new ArrayList<>(sessionsBefore.keySet());
    List<LocalDate> rebuiltDays = days.subList(0, 2);
    LocalDate lateDay = rebuiltDays.get(1);
    String sessions = run.table(SILVER_SESSIONS);
    report.step(
        "Straight to main: the sessions of "
            + rebuiltDays.get(0)
            + " and "
            + lateDay
            + " rebuilt and written over main's, serializable from the snapshot read");
    report.note(
        "rebuilt from silver_events with the pipeline's sessionizer and the fixed gap; between the"
            + " read and the\nfirst commit a live run brings "
            + LATE_EVENTS
            + " heartbeats of "
            + lateDay
            + ", two days late");
    // Not the shared session: the live chain's bronze sets spark.wap.id on it while it stages.
    SparkSession direct = run.spark().newSession();
    CommitAttempts.count(direct);
    List<List<Object>> attempts = new ArrayList<>();
    long firstRead = 0;
    boolean firstRefused = false;
    long firstConflicting = 0;
    long committed = 0;
    for (int attempt = 1; committed == 0; attempt++) {
      long read = SnapshotMarks.currentSnapshotId(SnapshotMarks.load(direct, sessions));
      long eventsRead =
          SnapshotMarks.currentSnapshotId(SnapshotMarks.load(direct, run.table(SILVER_EVENTS)));
      if (attempt == 1) {
        // The rebuild reads the snapshots just taken, so the late batch may go out already.
        firstRead = read;
        live.carry(LabRun.lateHeartbeats(setupTruth, lateDay, LATE_EVENTS, Duration.ofDays(2)));
      }
      Dataset<Row> rebuilt =
          Sessionizer.inTableOrder(
                  Sessionizer.sessions(
                          direct
                              .read()
                              .format("iceberg")
                              .option("snapshot-id", eventsRead)
                              .load(run.table(SILVER_EVENTS)),
                          LabRun.GAP)
                      .filter(Days.within(col("session_start"), rebuiltDays)))
              .persist(StorageLevel.MEMORY_AND_DISK());
      Row totals = rebuilt.agg(count(lit(1)), sum(col("events"))).first();
      if (attempt == 1) {
        live.awaitCarried();
      }
      String outcome;
      try {
        rebuilt
            .writeTo(sessions)
            .option("isolation-level", "serializable")
            .option("validate-from-snapshot-id", read)
            .option("snapshot-property." + SnapshotMarks.EVENT_DAYS, "")
            .option("snapshot-property." + SnapshotMarks.SESSION_DAYS, Days.format(rebuiltDays))
            .option("snapshot-property." + BACKFILL_PROPERTY, "direct, attempt " + attempt)
            .overwrite(Days.within(col("session_start"), rebuiltDays));
        committed = SnapshotMarks.currentSnapshotId(SnapshotMarks.load(direct, sessions));
        outcome = "committed as " + committed;
      } catch (Exception e) { // Spark's write throws Iceberg's exception undeclared, maybe wrapped
        ValidationException conflict = validationCause(e);
        if (conflict == null || attempt == MAX_ATTEMPTS) {
          throw e;
        }
        outcome = "refused: " + firstLine(conflict.getMessage());
        firstRefused |= attempt == 1;
      } finally {
        rebuilt.unpersist();
      }
      // The live commits between the read and this attempt's commit or refusal.
      long own = committed;
      List<Snapshot> since =
          SnapshotMarks.newerThan(SnapshotMarks.load(direct, sessions), read).stream()
              .filter(s -> s.snapshotId() != own)
              .toList();
      long conflicting = since.stream().filter(s -> replaces(s, rebuiltDays)).count();
      if (attempt == 1) {
        firstConflicting = conflicting;
      }
      attempts.add(
          List.of(
              "attempt " + attempt,
              String.valueOf(read),
              totals.getLong(0),
              totals.getLong(1),
              (long) since.size(),
              conflicting,
              outcome));
    }
    int liveRunsStarted = live.started();
    report.table(
        List.of(
            "direct write",
            "read snapshot",
            "sessions rebuilt",
            "their events",
            "live commits since the read",
            "of them replacing these days",
            "outcome"),
        attempts);
    report.note(
        "the first attempt's sessions lack the late heartbeats: without the validation its commit"
            + " would have\nreplaced the live run's sessions of "
            + lateDay
            + " by them, and no error would have said so");
    report.note("silver_sessions on main from the first read on, oldest first:");
    report.table(
        List.of("snapshot", "parent", "written by", "session days replaced"),
        history(SnapshotMarks.load(direct, sessions), firstRead));
    report.query(
        "SELECT snapshot_id, parent_id, summary['"
            + BACKFILL_PROPERTY
            + "'] AS backfill, summary['"
            + SnapshotMarks.SESSION_DAYS
            + "'] AS days FROM "
            + sessions
            + ".snapshots ORDER BY committed_at");
    report.note("Iceberg's own retries of these commits: " + retries(run));
    report.check(
        "the first attempt was refused: a live commit had replaced a day it rewrites since it read",
        firstRefused && firstConflicting > 0,
        firstRefused ? "ValidationException" : "it committed");

    List<ViewingEvent> truth = live.latestTruth();
    List<ReferenceSession> mainSessions = run.contents().silverSessions();
    List<ReferenceSession> expectedSessions = ReferenceSessions.of(truth, LabRun.GAP);
    Map<LocalDate, Integer> now = sessionsByDay(mainSessions);
    Map<LocalDate, Integer> expected = sessionsByDay(expectedSessions);
    Set<LocalDate> differing = daysThatDiffer(mainSessions, expectedSessions);
    List<List<Object>> rows = new ArrayList<>();
    for (LocalDate day : days) {
      rows.add(
          List.of(
              day,
              (long) sessionsBefore.getOrDefault(day, 0),
              (long) now.getOrDefault(day, 0),
              (long) expected.getOrDefault(day, 0),
              differing.contains(day) ? "differs" : "equal"));
    }
    report.table(
        List.of("sessions by start day", "main before", "main now", "oracle", "main vs oracle"),
        rows);
    report.note(
        "readers of main see the repair as it lands: day by day, silver before gold; still"
            + " differing: "
            + differing);
    report.check(
        "main's sessions of the rebuilt days equal the oracle's, the late heartbeats included",
        rebuiltDays.stream().noneMatch(differing::contains),
        rebuiltDays.stream().mapToLong(d -> expected.getOrDefault(d, 0)).sum() + " sessions");
    return new Direct(List.copyOf(rebuiltDays), liveRunsStarted);
  }

  /**
   * The branch variant: the six tables branched at one point between two live runs, rebuilt on the
   * branch by the jobs' own full rebuild and audited; a fast-forward is refused because main moved;
   * within the chain's turn the branch replays the live increments, is audited again and published:
   * main rolled back to the cut and fast-forwarded to the branch, one metadata commit per table.
   */
  private static int onBranch(LabRun run, LiveChain live, Direct direct) throws Exception {
    LabReport report = run.report();
    report.step(
        "On a branch: within the chain's turn, branch '"
            + BRANCH
            + "' of the six silver and gold tables is cut at one point; main is read there");
    Cut cut =
        live.duringTurn(
            () -> {
              for (String table : REBUILT) {
                run.spark().sql("ALTER TABLE " + run.table(table) + " CREATE BRANCH " + BRANCH);
              }
              // A table with no snapshot yet gets an empty one for its branch: that is its cut.
              return new Cut(heads(run, BRANCH), audit(run, live, run.spark(), MAIN));
            });
    report.query("ALTER TABLE " + run.table(SILVER_SESSIONS) + " CREATE BRANCH " + BRANCH);
    int runsAtCut = live.finished();

    report.step(
        "The rebuild: the jobs' own full rebuild of silver and gold from bronze, on the branch,"
            + " while the live chain commits to main");
    SparkSession onBranch = run.spark().newSession();
    CommitAttempts.count(onBranch);
    onBranch.conf().set("spark.wap.branch", BRANCH);
    long started = System.nanoTime();
    new SilverJob(onBranch, run.lake()).run(new SilverJob.Settings(LabRun.GAP, true));
    new GoldJob(onBranch, run.lake())
        .run(new GoldJob.Settings(run.titlesFile(), JoinStrategy.BROADCAST, 8, 4L << 20, true));
    double rebuildSeconds = seconds(started);
    report.note(
        String.format(
            Locale.ROOT,
            "in a session with spark.wap.branch = %s: rebuilt in %.1f s; the live chain finished"
                + " %d run(s) on main meanwhile\nIceberg's own retries of the rebuild's commits: %s",
            BRANCH,
            rebuildSeconds,
            live.finished() - runsAtCut,
            retries(run)));
    report.query("SET spark.wap.branch = " + BRANCH);
    report.query(
        "SELECT count(*) FROM " + run.table(SILVER_SESSIONS) + " VERSION AS OF '" + BRANCH + "'");

    report.step(
        "Audit: the verifier's reader on the branch against the oracle of what bronze held when"
            + " the rebuild read it");
    Audit branchAudit = audit(run, live, onBranch, BRANCH);
    Audit mainAudit = cut.main();
    report.table(
        List.of("", "main at the cut", "branch " + BRANCH + " rebuilt"),
        List.of(
            List.of(
                "bronze snapshot read up to",
                String.valueOf(mainAudit.bronze()),
                String.valueOf(branchAudit.bronze())),
            List.of("silver sessions", mainAudit.sessions(), branchAudit.sessions()),
            List.of("gold rows", mainAudit.goldRows(), branchAudit.goldRows()),
            List.of("against the oracle", mainAudit.verdict(), branchAudit.verdict())));
    report.check(
        "audit: the rebuilt branch equals the oracle as of the bronze snapshot it read",
        branchAudit.differences().isEmpty(),
        branchAudit.verdict());
    live.awaitFinished(direct.liveRunsStarted() + 1);
    List<ViewingEvent> truthNow = live.latestTruth();
    LakeContents mainContents = run.contents();
    ReferenceGold gold = run.referenceGold(truthNow);
    report.check(
        "the direct variant's days: main's gold of "
            + Days.format(direct.days())
            + " equals the oracle's, recomputed by the live run after the direct write",
        onDays(mainContents.goldTitleCountryDays(), direct.days(), TitleCountryDay::day)
                .equals(onDays(gold.titleCountryDays(), direct.days(), TitleCountryDay::day))
            && onDays(mainContents.goldUserDays(), direct.days(), UserDay::day)
                .equals(onDays(gold.userDays(), direct.days(), UserDay::day)),
        "");

    report.step("Publish by fast-forward: refused, main has moved on since the cut");
    while (commitsSince(run, MAIN, SILVER_SESSIONS, cut.heads().get(SILVER_SESSIONS)) == 0) {
      live.awaitFreshRound();
    }
    String fastForward = fastForward(run, SILVER_SESSIONS);
    String refused = run.failureOf(fastForward);
    report.query(fastForward);
    report.note("Iceberg: " + (refused.isEmpty() ? "(it succeeded)" : refused));
    List<List<Object>> moved = new ArrayList<>();
    for (String table : REBUILT) {
      long cutId = cut.heads().get(table);
      moved.add(
          List.of(
              table,
              commitsSince(run, MAIN, table, cutId),
              commitsSince(run, BRANCH, table, cutId)));
    }
    report.table(
        List.of("table", "main: commits since the cut", "branch: commits since the cut"), moved);
    report.check(
        "the fast-forward is refused while main holds live commits the branch lacks",
        refused.contains("not an ancestor"),
        refused.isEmpty() ? "it succeeded" : "");

    report.step(
        "Within the chain's turn: the branch replays the live increments, is audited again, and is"
            + " published");
    report.note(
        "the replay: the chain's own incremental silver and gold, on the branch, from the bronze"
            + " snapshot the rebuild\nread to bronze's head");
    Publish publish =
        live.duringTurn(
            () -> {
              long turnStarted = System.nanoTime();
              Replay replay = replay(run, onBranch);
              Audit audit = audit(run, live, onBranch, BRANCH);
              String stillRefused = run.failureOf(fastForward);
              Map<String, Long> mainBefore = heads(run, MAIN);
              Map<String, Long> branchHeads = heads(run, BRANCH);
              long dropped = commitsSince(run, MAIN, cut.heads());
              boolean caughtUp = replay.upTo() == bronzeHead(run);
              if (audit.differences().isEmpty() && caughtUp) {
                for (String table : REBUILT) {
                  publish(run, table, cut.heads().get(table));
                }
              }
              return new Publish(
                  seconds(turnStarted),
                  live.finished(),
                  replay,
                  audit,
                  stillRefused,
                  caughtUp,
                  dropped,
                  mainBefore,
                  branchHeads,
                  heads(run, MAIN));
            });
    report.note(
        String.format(
            Locale.ROOT,
            "replayed %d bronze snapshot(s), up to %d (bronze's head: %s); the turn was held %.1f"
                + " s\nIceberg's own retries of the replay's commits: %s",
            publish.replay().bronzeSnapshots(),
            publish.replay().upTo(),
            publish.caughtUp() ? "the same" : "another",
            publish.turnSeconds(),
            retries(run)));
    report.note(
        "after the replay the branch holds the live increments, and the fast-forward is still"
            + " refused:\nIceberg: "
            + (publish.stillRefused().isEmpty() ? "(it succeeded)" : publish.stillRefused())
            + "\nso each table is published by one metadata commit that rolls main back to the"
            + " cut (an ancestor of main)\nand fast-forwards it to the branch (a descendant of the"
            + " cut); in the console, two:");
    report.query(
        "CALL lake.system.rollback_to_snapshot('"
            + run.table(SILVER_SESSIONS)
            + "', "
            + cut.heads().get(SILVER_SESSIONS)
            + ")");
    report.query(fastForward);
    List<List<Object>> published = new ArrayList<>();
    for (String table : REBUILT) {
      published.add(
          List.of(
              table,
              id(publish.mainBefore().get(table)),
              id(publish.branch().get(table)),
              id(publish.mainAfter().get(table))));
    }
    report.table(List.of("table", "main before", "branch head", "main after"), published);
    report.check(
        "audit before publishing: the branch equals the oracle as of the bronze snapshot it read",
        publish.audit().differences().isEmpty() && publish.caughtUp(),
        publish.audit().verdict()
            + (publish.caughtUp() ? ", bronze's head included" : ", bronze's head not read"));
    boolean mainIsBranch = publish.mainAfter().equals(publish.branch());
    report.check(
        "published: main of every table is now the branch's head",
        mainIsBranch,
        mainIsBranch
            ? REBUILT.size()
                + " tables; "
                + publish.droppedLiveCommits()
                + " live commits since the cut left main's history, their increments replayed"
            : "not published, main kept its history");
    return publish.liveRunsFinished();
  }

  /**
   * Main of {@code table} rolled back to the cut and fast-forwarded to the branch, in one metadata
   * commit: Iceberg checks that the cut is an ancestor of main and the branch a descendant of it.
   */
  private static void publish(LabRun run, String table, long cut) {
    Table iceberg = SnapshotMarks.load(run.spark(), run.table(table));
    Snapshot main = iceberg.currentSnapshot();
    ManageSnapshots update = iceberg.manageSnapshots();
    if (main != null && main.snapshotId() != cut) {
      update = update.rollbackTo(cut);
    }
    update.fastForwardBranch(MAIN, BRANCH).commit();
  }

  /** The heads of the branches at the cut, and main as read there. */
  private record Cut(Map<String, Long> heads, Audit main) {}

  /** Incremental silver and gold on the branch; how many bronze snapshots they read. */
  private static Replay replay(LabRun run, SparkSession onBranch) throws Exception {
    Table sessions = SnapshotMarks.load(onBranch, run.table(SILVER_SESSIONS));
    Long before = SnapshotMarks.snapshotIdMark(sessions, BRANCH, SnapshotMarks.BRONZE_SNAPSHOT);
    new SilverJob(onBranch, run.lake()).run(SilverJob.Settings.DEFAULTS);
    new GoldJob(onBranch, run.lake()).run(new GoldJob.Settings(run.titlesFile()));
    sessions.refresh();
    long after = SnapshotMarks.snapshotIdMark(sessions, BRANCH, SnapshotMarks.BRONZE_SNAPSHOT);
    Table bronze = SnapshotMarks.load(onBranch, run.table(BRONZE_EVENTS));
    long snapshots = 0;
    for (Long ignored : SnapshotUtil.ancestorIdsBetween(after, before, bronze::snapshot)) {
      snapshots++;
    }
    return new Replay(snapshots, after);
  }

  private record Replay(long bronzeSnapshots, long upTo) {}

  private record Publish(
      double turnSeconds,
      int liveRunsFinished,
      Replay replay,
      Audit audit,
      String stillRefused,
      boolean caughtUp,
      long droppedLiveCommits,
      Map<String, Long> mainBefore,
      Map<String, Long> branch,
      Map<String, Long> mainAfter) {}

  /** What one side (main or the branch) holds, against the oracle as of the bronze it read. */
  private record Audit(long bronze, long sessions, long goldRows, List<String> differences) {
    String verdict() {
      return differences.isEmpty() ? "equal" : String.join(", ", differences);
    }
  }

  private static Audit audit(LabRun run, LiveChain live, SparkSession session, String branch)
      throws IOException, InterruptedException {
    Table sessions = SnapshotMarks.load(session, run.table(SILVER_SESSIONS));
    long bronze = SnapshotMarks.snapshotIdMark(sessions, branch, SnapshotMarks.BRONZE_SNAPSHOT);
    Rows rows = Rows.read(new LakeContents(session, run.lake()));
    return new Audit(
        bronze,
        rows.sessions().size(),
        rows.titleCountryDays().size() + rows.userDays().size(),
        differences(run, rows, live.truthAt(bronze)));
  }

  /** Silver's sessions and gold's rows as the verifier's reader sees them, read once. */
  private record Rows(
      List<ReferenceSession> sessions,
      List<TitleCountryDay> titleCountryDays,
      List<UserDay> userDays) {
    static Rows read(LakeContents contents) {
      return new Rows(
          contents.silverSessions(), contents.goldTitleCountryDays(), contents.goldUserDays());
    }
  }

  /** What differs between the tables a reader sees and the oracle over {@code events}. */
  private static List<String> differences(LabRun run, Rows rows, List<ViewingEvent> events)
      throws IOException {
    List<String> differences = new ArrayList<>();
    List<ReferenceSession> expected = ReferenceSessions.of(events, LabRun.GAP);
    if (!rows.sessions().equals(expected)) {
      differences.add("silver sessions differ on " + daysThatDiffer(rows.sessions(), expected));
    }
    ReferenceGold gold = run.referenceGold(events);
    if (!rows.titleCountryDays().equals(gold.titleCountryDays())) {
      differences.add("gold title x country differs");
    }
    if (!rows.userDays().equals(gold.userDays())) {
      differences.add("gold user days differ");
    }
    return differences;
  }

  private static Set<LocalDate> daysThatDiffer(
      List<ReferenceSession> found, List<ReferenceSession> expected) {
    Map<LocalDate, Set<ReferenceSession>> a = byStartDay(found);
    Map<LocalDate, Set<ReferenceSession>> b = byStartDay(expected);
    Set<LocalDate> days = new TreeSet<>(a.keySet());
    days.addAll(b.keySet());
    days.removeIf(day -> a.getOrDefault(day, Set.of()).equals(b.getOrDefault(day, Set.of())));
    return days;
  }

  private static Map<LocalDate, Set<ReferenceSession>> byStartDay(List<ReferenceSession> sessions) {
    Map<LocalDate, Set<ReferenceSession>> byDay = new TreeMap<>();
    for (ReferenceSession s : sessions) {
      byDay.computeIfAbsent(startDay(s), d -> new HashSet<>()).add(s);
    }
    return byDay;
  }

  private static Map<LocalDate, Integer> sessionsByDay(List<ReferenceSession> sessions) {
    SortedMap<LocalDate, Integer> counts = new TreeMap<>();
    sessions.forEach(s -> counts.merge(startDay(s), 1, Integer::sum));
    return counts;
  }

  private static LocalDate startDay(ReferenceSession session) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(session.start()), ZoneOffset.UTC);
  }

  private static <T> List<T> onDays(
      List<T> rows, List<LocalDate> days, Function<T, LocalDate> day) {
    return rows.stream().filter(r -> days.contains(day.apply(r))).toList();
  }

  /** Whether a silver sessions snapshot replaced one of {@code days}. */
  private static boolean replaces(Snapshot snapshot, List<LocalDate> days) {
    Set<LocalDate> replaced = Days.parse(snapshot.summary().get(SnapshotMarks.SESSION_DAYS));
    return days.stream().anyMatch(replaced::contains);
  }

  /** The table's main history from {@code from} on, oldest first. */
  private static List<List<Object>> history(Table table, long from) {
    List<Snapshot> newer = new ArrayList<>(SnapshotMarks.newerThan(table, from));
    Collections.reverse(newer);
    List<List<Object>> rows = new ArrayList<>();
    rows.add(List.of(String.valueOf(from), "", "(the first read)", ""));
    for (Snapshot s : newer) {
      String backfill = s.summary().get(BACKFILL_PROPERTY);
      rows.add(
          List.of(
              String.valueOf(s.snapshotId()),
              String.valueOf(s.parentId()),
              backfill == null ? "live chain" : "backfill, " + backfill,
              s.summary().getOrDefault(SnapshotMarks.SESSION_DAYS, "")));
    }
    return rows;
  }

  private static String id(Long snapshot) {
    return snapshot == null ? "(none)" : snapshot.toString();
  }

  private static String fastForward(LabRun run, String table) {
    return "CALL lake.system.fast_forward(table => '"
        + run.table(table)
        + "', branch => 'main', to => '"
        + BRANCH
        + "')";
  }

  private static Map<String, Long> heads(LabRun run, String branch) {
    Map<String, Long> heads = new LinkedHashMap<>();
    for (String table : REBUILT) {
      heads.put(
          table,
          SnapshotMarks.currentSnapshotId(
              SnapshotMarks.load(run.spark(), run.table(table)), branch));
    }
    return heads;
  }

  /** Commits on {@code branch} of the tables of {@code cut} since their snapshot there. */
  private static long commitsSince(LabRun run, String branch, Map<String, Long> cut) {
    long commits = 0;
    for (Map.Entry<String, Long> table : cut.entrySet()) {
      commits += commitsSince(run, branch, table.getKey(), table.getValue());
    }
    return commits;
  }

  /** Commits on {@code branch} of {@code table} since snapshot {@code cut}. */
  private static long commitsSince(LabRun run, String branch, String table, long cut) {
    Table iceberg = SnapshotMarks.load(run.spark(), run.table(table));
    if (SnapshotMarks.currentSnapshotId(iceberg, branch) == null) {
      return 0; // main of a table that was empty at the cut, and still is
    }
    return SnapshotMarks.newerThan(iceberg, branch, cut).size();
  }

  /** Iceberg's own retries of the commits counted since the last call, as a figure. */
  private static String retries(LabRun run) {
    List<CommitAttempts.Commit> commits = CommitAttempts.drain(run.lake().namespace());
    long retried = commits.stream().filter(c -> c.attempts() > 1).count();
    long attempts = commits.stream().mapToLong(CommitAttempts.Commit::attempts).sum();
    return commits.size()
        + " commit(s) in "
        + attempts
        + " attempt(s), "
        + retried
        + " retried after losing a race for the table's next metadata version";
  }

  private static long bronzeHead(LabRun run) {
    return SnapshotMarks.currentSnapshotId(
        SnapshotMarks.load(run.spark(), run.table(BRONZE_EVENTS)));
  }

  private static ValidationException validationCause(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ValidationException validation) {
        return validation;
      }
    }
    return null;
  }

  private static String firstLine(String message) {
    String line = message == null ? "" : message.lines().findFirst().orElse("");
    return line.length() > 110 ? line.substring(0, 110) + "..." : line;
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  /**
   * The chain on main, run after run on a thread of its own, each run on a new batch of events:
   * bronze, silver and gold as {@link LabRun#chain} runs them, within the chain's turn, a lock the
   * backfill takes for its few steps that must not interleave with a run.
   */
  static final class LiveChain implements AutoCloseable {
    private static final long TIMEOUT_MS = 180_000;
    private static final long PAUSE_MS = 300;

    private final LabRun run;
    private final ReentrantLock turn = new ReentrantLock(true);
    private final Map<Long, List<ViewingEvent>> truthAtBronze = new ConcurrentHashMap<>();
    private final AtomicReference<List<ViewingEvent>> carried = new AtomicReference<>(List.of());
    private final Object progress = new Object();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Exception failure;
    private volatile List<ViewingEvent> latestTruth;
    private Instant nextStart;
    private final List<Double> runSeconds = new ArrayList<>();
    private int started;
    private int finished;
    private int carriedBy;
    private long longestWaitMillis;

    LiveChain(LabRun run, Instant nextStart, long bronze, List<ViewingEvent> truth) {
      this.run = run;
      this.nextStart = nextStart;
      this.latestTruth = truth;
      truthAtBronze.put(bronze, truth);
      thread = new Thread(this::runs, "live-chain");
      thread.setDaemon(true);
      thread.start();
    }

    private void runs() {
      try {
        while (!stopping) {
          int round;
          synchronized (progress) {
            round = ++started;
          }
          RunSummary batch =
              run.produce(
                  "--count",
                  Integer.toString(LIVE_EVENTS),
                  "--rate",
                  "8",
                  "--users",
                  "300",
                  "--late-rate",
                  "0",
                  "--seed",
                  Integer.toString(100 + round),
                  "--start",
                  nextStart.toString());
          nextStart = batch.lastEventTime().plus(Duration.ofHours(1));
          List<ViewingEvent> late = carried.getAndSet(List.of());
          if (!late.isEmpty()) {
            run.send(late);
            synchronized (progress) {
              carriedBy = round;
            }
          }
          long waiting = System.nanoTime();
          long waited;
          double seconds;
          turn.lock();
          try {
            waited = (System.nanoTime() - waiting) / 1_000_000;
            long chainStarted = System.nanoTime();
            run.chain();
            seconds = seconds(chainStarted);
            List<ViewingEvent> truth = run.truth();
            truthAtBronze.put(bronzeHead(run), truth);
            latestTruth = truth;
          } finally {
            turn.unlock();
          }
          synchronized (progress) {
            finished = round;
            runSeconds.add(seconds);
            longestWaitMillis = Math.max(longestWaitMillis, waited);
            progress.notifyAll();
          }
          Thread.sleep(PAUSE_MS);
        }
      } catch (Exception e) {
        failure = e;
        synchronized (progress) {
          progress.notifyAll();
        }
      }
    }

    /** Events the next run to send its batch sends along with it. */
    void carry(List<ViewingEvent> events) {
      synchronized (progress) {
        carriedBy = 0;
      }
      carried.set(List.copyOf(events));
    }

    /** Waits until the run that sent the carried events has committed. */
    void awaitCarried() throws Exception {
      long deadline = System.currentTimeMillis() + TIMEOUT_MS;
      synchronized (progress) {
        while (carriedBy == 0 || finished < carriedBy) {
          checkHealthy();
          long left = deadline - System.currentTimeMillis();
          if (left <= 0) {
            throw new IllegalStateException("no live run committed the carried events in time");
          }
          progress.wait(left);
        }
      }
    }

    /** Waits until a run that started after this call has committed. */
    void awaitFreshRound() throws Exception {
      awaitFinished(started() + 1);
    }

    /** Waits until run number {@code run} (counted from 1) has committed. */
    void awaitFinished(int run) throws Exception {
      long deadline = System.currentTimeMillis() + TIMEOUT_MS;
      synchronized (progress) {
        while (finished < run) {
          checkHealthy();
          long left = deadline - System.currentTimeMillis();
          if (left <= 0) {
            throw new IllegalStateException(
                "the live chain did not finish a run within " + TIMEOUT_MS / 1000 + " s");
          }
          progress.wait(left);
        }
      }
      checkHealthy();
    }

    /** Runs {@code work} while no live run is in progress. */
    <T> T duringTurn(Callable<T> work) throws Exception {
      turn.lock();
      try {
        return work.call();
      } finally {
        turn.unlock();
      }
    }

    /**
     * The events sent up to bronze snapshot {@code bronzeSnapshot}, which took them; waits for the
     * run that committed it to finish.
     */
    List<ViewingEvent> truthAt(long bronzeSnapshot) throws InterruptedException {
      long deadline = System.currentTimeMillis() + TIMEOUT_MS;
      synchronized (progress) {
        while (!truthAtBronze.containsKey(bronzeSnapshot)) {
          checkHealthy();
          long left = deadline - System.currentTimeMillis();
          if (left <= 0) {
            throw new IllegalStateException(
                "no run of the chain committed bronze snapshot " + bronzeSnapshot);
          }
          progress.wait(left);
        }
      }
      return truthAtBronze.get(bronzeSnapshot);
    }

    List<ViewingEvent> latestTruth() {
      return latestTruth;
    }

    int finished() {
      synchronized (progress) {
        return finished;
      }
    }

    /** Runs started so far, the one in progress included. */
    int started() {
      synchronized (progress) {
        return started;
      }
    }

    /** The median wall time of bronze, silver and gold in one run. */
    double medianRunSeconds() {
      synchronized (progress) {
        List<Double> sorted = runSeconds.stream().sorted().toList();
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
      }
    }

    long longestWaitMillis() {
      synchronized (progress) {
        return longestWaitMillis;
      }
    }

    /** Lets the run in progress finish and ends the thread. */
    void stop() throws Exception {
      stopping = true;
      thread.join(TIMEOUT_MS);
      if (thread.isAlive()) {
        throw new IllegalStateException("the live chain did not stop within its timeout");
      }
      checkHealthy();
    }

    private void checkHealthy() {
      if (failure != null) {
        throw new IllegalStateException(
            "the live chain failed: " + SqlConsole.oneLine(failure), failure);
      }
      if (!thread.isAlive() && !stopping) {
        throw new IllegalStateException("the live chain stopped");
      }
    }

    @Override
    public void close() throws Exception {
      if (!stopping) {
        stop();
      }
    }
  }
}
