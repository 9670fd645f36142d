package org.keystonesandbox.labs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.verify.StreamOutputs;

/**
 * The stream job remembers event ids for a horizon of event time. Re-sent copies that arrive later
 * than the horizon (but within the allowed lateness) are counted again: extra events and watch time
 * in exactly the sessions that got them. A horizon longer than the copies' delay drops every one.
 */
final class DedupWindowLab implements Lab {
  private static final String LATENESS = "3h";
  private static final String SHORT_HORIZON = "10m";
  private static final String RIGHT_HORIZON = "3h";

  @Override
  public String name() {
    return "dedup-window";
  }

  @Override
  public String summary() {
    return "copies re-sent up to 2 h later: a 10 min dedup horizon lets them through, 3 h drops all";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    report.step("The generator writes 4,000 events; 20 % are re-sent up to 2 hours later");
    RunSummary summary =
        run.produce(
            "--count",
            "4000",
            "--rate",
            "40",
            "--users",
            "300",
            "--seed",
            "41",
            "--duplicate-rate",
            "0.2",
            "--duplicate-max-delay",
            "2h",
            "--late-rate",
            "0",
            "--malformed-rate",
            "0",
            "--partitions",
            "1");
    report.note(
        summary.uniqueEvents()
            + " unique events, "
            + summary.duplicates()
            + " re-sent copies (same event_id), "
            + summary.records()
            + " records");
    List<ReferenceSession> oracle = ReferenceSessions.of(run.truth(), LabRun.GAP);

    report.step(
        "The stream job remembers ids for "
            + SHORT_HORIZON
            + " of event time, with "
            + LATENESS
            + " of allowed lateness");
    LabRun.StreamJobState leakyRun =
        run.streamJobWithStateSize(
            "horizon-" + SHORT_HORIZON,
            "--allowed-lateness",
            LATENESS,
            "--dedup-horizon",
            SHORT_HORIZON,
            "--accept-short-dedup-horizon");
    LabRun.StreamJobOutputs leaky = leakyRun.outputs();
    report.note(leaky.totals());
    List<ReferenceSession> leakySessions =
        StreamOutputs.sessions(run.readCommitted(leaky.sessionsTopic()));

    report.step("The same stream with the ids remembered for " + RIGHT_HORIZON);
    LabRun.StreamJobState rightRun =
        run.streamJobWithStateSize(
            "horizon-" + RIGHT_HORIZON,
            "--allowed-lateness",
            LATENESS,
            "--dedup-horizon",
            RIGHT_HORIZON);
    LabRun.StreamJobOutputs right = rightRun.outputs();
    report.note(right.totals());
    List<ReferenceSession> rightSessions =
        StreamOutputs.sessions(run.readCommitted(right.sessionsTopic()));

    Totals expected = Totals.of(oracle);
    Totals shortHorizon = Totals.of(leakySessions);
    Totals rightHorizon = Totals.of(rightSessions);
    long droppedShort = droppedDuplicates(leaky.totals());
    long droppedRight = droppedDuplicates(right.totals());
    report.table(
        List.of(
            "dedup horizon",
            "copies dropped",
            "copies counted",
            "session events",
            "watch hours",
            "extra watch min",
            "sessions differing",
            "state at the end, bytes"),
        List.of(
            row(
                SHORT_HORIZON,
                droppedShort,
                summary,
                shortHorizon,
                expected,
                leakySessions,
                oracle,
                leakyRun.stateBytes()),
            row(
                RIGHT_HORIZON,
                droppedRight,
                summary,
                rightHorizon,
                expected,
                rightSessions,
                oracle,
                rightRun.stateBytes()),
            List.of("oracle", "", "", expected.events(), expected.watchMs() / 3.6e6, 0.0, 0L, "")));
    report.note(
        "state at the end: the full size of the job's checkpoint once it had read the whole topic,"
            + " before the end of its input closed every session");

    List<String> named = differing(leakySessions, oracle);
    report.step("The project's verifier on the short horizon's run");
    LabRun.Verdict verdict = run.verifyStream("horizon-" + SHORT_HORIZON);
    List<String> verifierSays =
        verdict.lines().stream()
            .map(String::strip)
            .filter(l -> l.startsWith("MISMATCH") || l.startsWith("verdict"))
            .toList();
    List<String> verifierNamed =
        verdict.lines().stream()
            .map(String::strip)
            .filter(l -> l.startsWith(FOUND_NOT_EXPECTED))
            .toList();
    report.note("verifier exit code " + verdict.exitCode() + "; what it says:");
    verifierSays.forEach(line -> report.note("  " + line));
    verifierNamed.forEach(line -> report.note("  " + line));
    Set<String> leaked = new HashSet<>();
    Set<ReferenceSession> exact = new HashSet<>(oracle);
    leakySessions.stream()
        .filter(session -> !exact.contains(session))
        .forEach(session -> leaked.add(sessionKey(session)));
    long unexpected =
        verifierSays.stream()
            .map(UNEXPECTED::matcher)
            .filter(java.util.regex.Matcher::find)
            .mapToLong(m -> Long.parseLong(m.group(1)))
            .sum();

    report.check(
        "with the short horizon every copy not dropped was counted into a session",
        droppedShort < summary.duplicates()
            && shortHorizon.events() - expected.events() == summary.duplicates() - droppedShort,
        (summary.duplicates() - droppedShort)
            + " copies counted, "
            + (shortHorizon.events() - expected.events())
            + " extra session events");
    report.check(
        "the copies that leaked added watch time, in the sessions the comparison names",
        shortHorizon.watchMs() > expected.watchMs() && !named.isEmpty(),
        named.size() + " sessions differ");
    report.check(
        "the verifier fails the run and names the sessions the copies changed: as many unexpected"
            + " sessions as the comparison finds, each one of them",
        verdict.exitCode() == ExitCodes.FAILED
            && unexpected == leaked.size()
            && !verifierNamed.isEmpty()
            && verifierNamed.stream()
                .allMatch(
                    line ->
                        leaked.contains(
                            line.substring(FOUND_NOT_EXPECTED.length())
                                .strip()
                                .split(" \\.\\. ")[0])),
        unexpected
            + " unexpected sessions by the verifier, "
            + leaked.size()
            + " by the comparison");
    LabRun.Verdict rightVerdict = run.verifyStream("horizon-" + RIGHT_HORIZON);
    report.note(
        "the verifier on the "
            + RIGHT_HORIZON
            + " run: exit code "
            + rightVerdict.exitCode()
            + ", "
            + rightVerdict.lines().stream()
                .map(String::strip)
                .filter(l -> l.startsWith("verdict"))
                .findFirst()
                .orElse(""));
    report.check(
        "the same verifier passes the run with the right horizon",
        rightVerdict.exitCode() == ExitCodes.OK,
        "exit code " + rightVerdict.exitCode());
    report.check(
        "with a horizon beyond the copies' delay every copy is dropped and the sessions equal the"
            + " oracle",
        droppedRight == summary.duplicates() && rightSessions.equals(oracle),
        droppedRight + " of " + summary.duplicates() + " copies dropped");
    report.check(
        "remembering ids "
            + RIGHT_HORIZON
            + " instead of "
            + SHORT_HORIZON
            + " makes the job's state larger",
        rightRun.stateBytes() > leakyRun.stateBytes(),
        String.format(
            Locale.ROOT, "%,d bytes against %,d", rightRun.stateBytes(), leakyRun.stateBytes()));
  }

  /** How the verifier's report starts a session it found but did not expect. */
  private static final String FOUND_NOT_EXPECTED = "found, not expected:";

  private static final java.util.regex.Pattern UNEXPECTED =
      java.util.regex.Pattern.compile("([0-9]+) unexpected");

  /** "user start", as the verifier names a session. */
  private static String sessionKey(ReferenceSession session) {
    return session.userId() + " " + java.time.Instant.ofEpochMilli(session.start());
  }

  /** Events and watch time over all sessions. */
  private record Totals(long events, long watchMs) {
    static Totals of(List<ReferenceSession> sessions) {
      return new Totals(
          sessions.stream().mapToLong(ReferenceSession::events).sum(),
          sessions.stream().mapToLong(ReferenceSession::watchMs).sum());
    }
  }

  private static List<Object> row(
      String horizon,
      long dropped,
      RunSummary summary,
      Totals totals,
      Totals expected,
      List<ReferenceSession> sessions,
      List<ReferenceSession> oracle,
      long stateBytes) {
    return List.of(
        horizon,
        dropped,
        summary.duplicates() - dropped,
        totals.events(),
        totals.watchMs() / 3.6e6,
        (totals.watchMs() - expected.watchMs()) / 60_000.0,
        (long) differing(sessions, oracle).size(),
        stateBytes);
  }

  /**
   * "user start: events n (oracle m), watch +x ms" for each session that differs from the oracle.
   */
  private static List<String> differing(
      List<ReferenceSession> sessions, List<ReferenceSession> oracle) {
    Map<String, ReferenceSession> expected = new HashMap<>();
    oracle.forEach(s -> expected.put(s.userId() + "@" + s.start(), s));
    List<String> lines = new ArrayList<>();
    for (ReferenceSession s : sessions) {
      ReferenceSession e = expected.get(s.userId() + "@" + s.start());
      if (e == null) {
        lines.add(
            s.userId()
                + " session at "
                + java.time.Instant.ofEpochMilli(s.start())
                + ": not in the oracle");
      } else if (!e.equals(s)) {
        lines.add(
            s.userId()
                + " session at "
                + java.time.Instant.ofEpochMilli(s.start())
                + ": "
                + s.events()
                + " events (oracle "
                + e.events()
                + "), watch +"
                + (s.watchMs() - e.watchMs())
                + " ms");
      }
    }
    return lines;
  }

  /** The "duplicates dropped N" figure of the stream job's totals line. */
  static long droppedDuplicates(String totals) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("duplicates dropped ([0-9,]+)").matcher(totals);
    if (!m.find()) {
      throw new IllegalStateException("no duplicates figure in: " + totals);
    }
    return Long.parseLong(m.group(1).replace(",", ""));
  }
}
