package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.RT_SESSIONS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.verify.StreamOutputs;

/**
 * The stream job lands its sessions in the lake with Iceberg's Flink sink, one commit per
 * checkpoint: two jobs read the same live stream at two checkpoint intervals, and the lab sets the
 * snapshots, files and file sizes each leaves against how long a session waits before a reader of
 * the table sees it; then compaction. Each table equals its job's sessions topic and the oracle.
 */
final class FlinkToIcebergLab implements Lab {
  private static final List<Duration> INTERVALS =
      List.of(Duration.ofSeconds(1), Duration.ofSeconds(10));
  private static final int EVENTS = 15_000;
  private static final int RATE = 1_000;

  @Override
  public String name() {
    return "flink-to-iceberg";
  }

  @Override
  public String summary() {
    return "the stream lands sessions in Iceberg at 1 s and 10 s checkpoints: snapshots, file"
        + " sizes and visibility side by side, then compaction";
  }

  /** One stream job and what it left. */
  private record Landing(
      Duration interval,
      String label,
      String table,
      JarProcess.Running job,
      long snapshots,
      long dataFiles,
      long deleteFiles,
      double averageDataFileKb,
      List<Long> visibleAfterMs) {

    long median() {
      return percentile(visibleAfterMs, 50);
    }

    long p95() {
      return percentile(visibleAfterMs, 95);
    }
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    report.step("The generator writes the first 1,000 events");
    RunSummary first =
        run.produce(
            "--count",
            "1000",
            "--users",
            "2000",
            "--seed",
            "89",
            "--late-rate",
            "0",
            "--malformed-rate",
            "0");
    report.step(
        "Two stream jobs with --lake-sessions read the lab's topic live, one checkpointing every"
            + " 1 s, the other every 10 s, each into rt_sessions of a namespace of its own");
    List<Landing> landings = new ArrayList<>();
    for (Duration interval : INTERVALS) {
      String label = "every-" + interval.toSeconds() + "s";
      String namespace = run.lake().namespace() + "_" + label.replace('-', '_');
      JarProcess.Running job =
          run.startStreamJob(
              label,
              true,
              "output.txt",
              "--checkpoint-interval",
              interval.toSeconds() + "s",
              "--lake-sessions",
              "--warehouse",
              run.lake().warehouse().toString(),
              "--namespace",
              namespace);
      landings.add(
          new Landing(
              interval,
              label,
              "lake." + namespace + "." + RT_SESSIONS,
              job,
              0,
              0,
              0,
              0,
              List.of()));
    }
    try {
      awaitFirstCheckpoint(run, landings.get(0));
      report.step(
          "The generator writes "
              + String.format("%,d", EVENTS)
              + " more events at "
              + String.format("%,d", RATE)
              + " a second; then one event a day later in every partition closes every session");
      RunSummary summary =
          run.produce(
              false,
              "--count",
              Integer.toString(EVENTS),
              "--rate",
              Integer.toString(RATE),
              "--users",
              "2000",
              "--seed",
              "90",
              "--late-rate",
              "0",
              "--malformed-rate",
              "0",
              "--start",
              first.lastEventTime().plus(Duration.ofMinutes(1)).toString());
      Set<String> flushUsers = run.closeEverySession(summary.lastEventTime());
      List<ReferenceSession> oracle =
          LabRun.sessionsWithout(flushUsers, ReferenceSessions.of(run.truth(), LabRun.GAP));

      report.step("Each job commits its last sessions; then both are stopped");
      List<Landing> landed = new ArrayList<>();
      for (Landing landing : landings) {
        String topic = run.streamJobTopics(landing.label()).sessionsTopic();
        List<ReferenceSession> committed =
            run.awaitCommittedSessions(topic, flushUsers, landing.job(), Duration.ofSeconds(90));
        List<ReferenceSession> inTable = awaitTable(run, landing, flushUsers, committed);
        landing.job().kill();
        report.check(
            "checkpoints every "
                + landing.interval().toSeconds()
                + " s: rt_sessions equals the"
                + " job's sessions topic and the oracle",
            inTable.equals(committed) && committed.equals(oracle),
            inTable.size()
                + " sessions in the table, "
                + committed.size()
                + " in the topic, "
                + oracle.size()
                + " in the oracle");
        landed.add(measure(run, landing, topic));
      }

      report.step("What each interval left in the table, and how long sessions waited for it");
      Landing fast = landed.get(0);
      Landing slow = landed.get(1);
      report.table(
          List.of("", fast.label(), slow.label()),
          List.of(
              List.of("snapshots", fast.snapshots(), slow.snapshots()),
              List.of("data files (live)", fast.dataFiles(), slow.dataFiles()),
              List.of("delete files (live)", fast.deleteFiles(), slow.deleteFiles()),
              List.of(
                  "average data file, KB",
                  round1(fast.averageDataFileKb()),
                  round1(slow.averageDataFileKb())),
              List.of("visible after, median ms", fast.median(), slow.median()),
              List.of("visible after, p95 ms", fast.p95(), slow.p95())));
      report.note(
          "visible after: from the Kafka timestamp of a session record (when the job emitted it)"
              + "\nto the commit time of the first snapshot of rt_sessions that holds it");
      report.check(
          "1 s checkpoints commit more snapshots",
          fast.snapshots() > slow.snapshots(),
          fast.snapshots() + " against " + slow.snapshots());
      report.check(
          "1 s checkpoints write smaller data files",
          fast.averageDataFileKb() < slow.averageDataFileKb(),
          round1(fast.averageDataFileKb()) + " KB against " + round1(slow.averageDataFileKb()));
      report.check(
          "10 s checkpoints make sessions wait longer before they are visible",
          slow.median() > fast.median(),
          "median " + slow.median() + " ms against " + fast.median() + " ms");

      report.step("Compaction of the 1 s table: rewrite_data_files, dangling deletes removed");
      String call =
          "CALL lake.system.rewrite_data_files(table => '"
              + fast.table()
              + "', options => map('min-input-files', '2', 'delete-file-threshold', '1',"
              + " 'remove-dangling-deletes', 'true'))";
      report.query(call);
      run.spark().sql(call).collectAsList();
      long[] after = fileCounts(run, fast.table());
      report.table(
          List.of(fast.label(), "before", "after"),
          List.of(
              List.of("data files", fast.dataFiles(), after[0]),
              List.of("delete files", fast.deleteFiles(), after[1])));
      List<ReferenceSession> compacted = tableSessions(run, fast.table(), flushUsers);
      report.check(
          "compaction leaves fewer files and the same sessions",
          after[0] + after[1] < fast.dataFiles() + fast.deleteFiles() && compacted.equals(oracle),
          (fast.dataFiles() + fast.deleteFiles())
              + " files before, "
              + (after[0] + after[1])
              + " after; "
              + compacted.size()
              + " sessions");
      report.note("look for yourself: " + run.consoleCommand() + "_every_1s");
      report.query("SELECT * FROM " + fast.table() + ".snapshots");
      report.query(
          "SELECT content, count(*), avg(file_size_in_bytes) FROM "
              + slow.table()
              + ".files GROUP BY content");
    } finally {
      for (Landing landing : landings) {
        landing.job().kill();
      }
    }
  }

  /** Waits until the first job completed a checkpoint: both jobs are then reading. */
  private static void awaitFirstCheckpoint(LabRun run, Landing landing)
      throws IOException, InterruptedException {
    Path checkpoints = run.streamJobFolder(landing.label()).resolve("checkpoints");
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline && landing.job().alive()) {
      if (Files.isDirectory(checkpoints)) {
        try (Stream<Path> files = Files.walk(checkpoints, 3)) {
          if (files.anyMatch(p -> p.getFileName().toString().equals("_metadata"))) {
            return;
          }
        }
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the stream job " + landing.label() + " did not start");
  }

  /** Waits until the table holds what the topic committed (the two commit at one checkpoint). */
  private static List<ReferenceSession> awaitTable(
      LabRun run, Landing landing, Set<String> flushUsers, List<ReferenceSession> committed)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<ReferenceSession> inTable = tableSessions(run, landing.table(), flushUsers);
    while (!inTable.equals(committed) && System.nanoTime() < deadline && landing.job().alive()) {
      Thread.sleep(500);
      inTable = tableSessions(run, landing.table(), flushUsers);
    }
    return inTable;
  }

  private static List<ReferenceSession> tableSessions(
      LabRun run, String table, Set<String> flushUsers) {
    List<ReferenceSession> sessions = new ArrayList<>();
    for (Row row :
        run.spark()
            .sql(
                "SELECT user_id, session_start, session_end, events, watch_ms, titles FROM "
                    + table
                    + " ORDER BY user_id, session_start")
            .collectAsList()) {
      if (!flushUsers.contains(row.getString(0))) {
        sessions.add(
            new ReferenceSession(
                row.getString(0),
                row.getTimestamp(1).getTime(),
                row.getTimestamp(2).getTime(),
                row.getInt(3),
                row.getLong(4),
                row.getList(5)));
      }
    }
    return sessions;
  }

  /** The table's figures and, per session record of the topic, how long until a reader saw it. */
  private static Landing measure(LabRun run, Landing landing, String topic) {
    Map<String, Long> emitted = new HashMap<>();
    for (StreamOutputs.SessionVersion session :
        StreamOutputs.sessionVersions(run.readCommitted(topic))) {
      if (!session.retracted()) {
        emitted.put(
            version(session.userId(), session.start(), session.revision()), session.timestamp());
      }
    }
    List<Row> snapshots =
        run.spark()
            .sql(
                "SELECT snapshot_id, committed_at FROM "
                    + landing.table()
                    + ".snapshots ORDER BY committed_at")
            .collectAsList();
    Map<String, Long> firstSeen = new HashMap<>();
    for (Row snapshot : snapshots) {
      long committedAt = snapshot.getTimestamp(1).getTime();
      for (Row row :
          run.spark()
              .sql(
                  "SELECT user_id, session_start, revision FROM "
                      + landing.table()
                      + " VERSION AS OF "
                      + snapshot.getLong(0))
              .collectAsList()) {
        firstSeen.putIfAbsent(
            version(row.getString(0), row.getTimestamp(1).getTime(), row.getInt(2)), committedAt);
      }
    }
    List<Long> visibleAfter = new ArrayList<>();
    firstSeen.forEach(
        (version, committedAt) -> {
          Long emittedAt = emitted.get(version);
          if (emittedAt != null) {
            visibleAfter.add(committedAt - emittedAt);
          }
        });
    long[] files = fileCounts(run, landing.table());
    double averageKb =
        run.spark()
                .sql("SELECT avg(file_size_in_bytes) FROM " + landing.table() + ".data_files")
                .first()
                .getDouble(0)
            / 1024;
    return new Landing(
        landing.interval(),
        landing.label(),
        landing.table(),
        landing.job(),
        snapshots.size(),
        files[0],
        files[1],
        averageKb,
        visibleAfter);
  }

  /** Live data files and delete files of the table's current snapshot. */
  private static long[] fileCounts(LabRun run, String table) {
    return new long[] {
      run.spark().table(table + ".data_files").count(),
      run.spark().table(table + ".delete_files").count()
    };
  }

  private static String version(String userId, long sessionStart, int revision) {
    return userId + "/" + sessionStart + "/" + revision;
  }

  private static long percentile(List<Long> values, int percent) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percent / 100));
  }

  private static double round1(double value) {
    return Math.round(value * 10) / 10.0;
  }
}
