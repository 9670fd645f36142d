package org.keystonesandbox.labs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.keystonesandbox.events.ParseResult;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.ViewingEventJson;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.verify.StreamOutputs;

/**
 * An unthrottled generator against a stream job at parallelism 1: the consumer lag grows. The job
 * is stopped with a savepoint and restarted from it at parallelism 4, the lag drains, and the
 * sessions are exactly the oracle's: state moved to four tasks with nothing lost or counted twice.
 * Then the job is down while the topic's retention is shorter than the lag: records expire before
 * it reads them, the restarted job carries on from what is left, and the verifier names the loss.
 */
final class LagAndRescaleLab implements Lab {
  private static final int BURST = 150_000;
  private static final int OUTAGE = 100_000;
  private static final String LABEL = "job";
  private static final Duration SAMPLE = Duration.ofMillis(500);
  private static final String SEGMENT_BYTES = Integer.toString(1024 * 1024);

  @Override
  public String name() {
    return "lag-and-rescale";
  }

  @Override
  public String summary() {
    return "lag grows at parallelism 1; a savepoint, a restart at 4, the lag drains; then"
        + " retention shorter than the lag loses records and the verifier names the loss";
  }

  /** One reading of the job's consumer group: its lag and the records it has read. */
  private record Sample(long atMs, long lag, long read) {
    static Sample of(LabRun run, String group, long since) {
      LabRun.GroupProgress progress = run.progress(group);
      return new Sample(millisSince(since), progress.lag(), progress.read());
    }
  }

  private static double max(
      List<FlinkJobRest.Backpressure> readings,
      java.util.function.ToDoubleFunction<FlinkJobRest.Backpressure> figure) {
    return readings.stream().mapToDouble(figure).max().orElse(0);
  }

  /** Where a record is in the lab's topic. */
  private record Place(int partition, long offset) {}

  /** A stream job started for one phase of the lab, with its REST API. */
  private record Job(JarProcess.Running process, FlinkJobRest rest, String id, String output) {}

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    String group = run.streamJobGroup(LABEL);
    List<JarProcess.Running> started = new ArrayList<>();
    try {
      report.step("The generator writes 2,000 events; the stream job starts at parallelism 1");
      RunSummary first = produce(run, 2_000, 60, null);
      Job slow = start(run, started, "output-at-1.txt", 1, null);
      awaitCaughtUp(run, group, slow);
      report.note("Flink's web UI while it runs: " + slow.rest().url() + " (backpressure tab)");

      report.step(
          "The generator writes "
              + String.format("%,d", BURST)
              + " more events unthrottled; the job's consumer lag is read every "
              + SAMPLE.toMillis()
              + " ms");
      long burstStart = System.nanoTime();
      Instant burstFrom = first.lastEventTime().plus(Duration.ofMinutes(1));
      CompletableFuture<RunSummary> burst =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return produce(run, BURST, 61, burstFrom);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      List<Sample> atOne = new ArrayList<>();
      List<FlinkJobRest.Backpressure> pressure = new ArrayList<>();
      while (!burst.isDone()) {
        atOne.add(Sample.of(run, group, burstStart));
        pressure.add(slow.rest().backpressure(slow.id()));
        Thread.sleep(SAMPLE.toMillis());
      }
      RunSummary second = burst.get();
      long generatorMs = millisSince(burstStart);
      atOne.add(Sample.of(run, group, burstStart));
      long lagAtStop = atOne.get(atOne.size() - 1).lag();

      List<FlinkJobRest.Backpressure> withFigures =
          pressure.stream().filter(FlinkJobRest.Backpressure::readable).toList();
      report.note(
          String.format(
              Locale.ROOT,
              "Flink's backpressure while the lag grew (REST /jobs/:id/vertices/:vid/backpressure,"
                  + " %d of %d readings with figures), the largest: source backpressured %.0f %%,"
                  + " source busy %.0f %%, sessionizing task busy %.0f %%",
              withFigures.size(),
              pressure.size(),
              100 * max(withFigures, FlinkJobRest.Backpressure::sourceBackpressured),
              100 * max(withFigures, FlinkJobRest.Backpressure::sourceBusy),
              100 * max(withFigures, FlinkJobRest.Backpressure::sessionizeBusy)));

      report.step("The job is stopped with a savepoint (not drained: open sessions stay in it)");
      long stopStart = System.nanoTime();
      String rescaleFrom = stop(run, slow, "1", false);
      report.note(
          lastName(rescaleFrom)
              + " in "
              + millisSince(stopStart)
              + " ms; "
              + String.format("%,d", lagAtStop)
              + " records not yet read");

      report.step("The job starts again from the savepoint at parallelism 4");
      long restart = System.nanoTime();
      Job fast = start(run, started, "output-at-4.txt", 4, rescaleFrom);
      List<Sample> atFour = new ArrayList<>();
      long lag = lagAtStop;
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (lag > 0 && fast.process().alive() && System.nanoTime() < deadline) {
        Thread.sleep(SAMPLE.toMillis());
        atFour.add(Sample.of(run, group, restart));
        lag = atFour.get(atFour.size() - 1).lag();
      }
      String restoredFrom = fast.rest().restoredFrom(fast.id());
      report.note("then stopped with a drained savepoint: event time ends, every session closes");
      String drained = stop(run, fast, "2", true);
      List<ReferenceSession> oracle = ReferenceSessions.of(run.truth(), LabRun.GAP);
      List<ReferenceSession> sessions = committedSessions(run);

      report.step("The lag, read every " + SAMPLE.toMillis() + " ms");
      List<List<Object>> rows = new ArrayList<>();
      addRows(rows, "1, ms since the burst began", atOne);
      addRows(rows, "4, ms since the restart", atFour);
      report.table(List.of("parallelism", "at ms", "lag"), rows);
      long peak = atOne.stream().mapToLong(Sample::lag).max().orElse(0);
      report.table(
          List.of("", "parallelism 1", "parallelism 4"),
          List.of(
              List.of("generator wrote, ms", generatorMs, "-"),
              List.of("peak lag", peak, lagAtStop),
              List.of("records read per second", readRate(atOne), readRate(atFour)),
              List.of("lag at the end", lagAtStop, lag)));
      report.note(
          "records read per second: the group's committed offsets (at each checkpoint), from the"
              + "\nreading before they first moved to the last; the job shares two cores with the"
              + " generator");
      report.check(
          "at parallelism 1 the lag grew while the generator outpaced the job",
          peak > BURST / 10,
          "peak " + peak + " records behind");
      report.check(
          "the job at parallelism 4 restored the savepoint",
          !restoredFrom.isEmpty() && lastName(restoredFrom).equals(lastName(rescaleFrom)),
          restoredFrom.isEmpty() ? "it started fresh" : "restored " + lastName(restoredFrom));
      report.check(
          "at parallelism 4 the lag drained to zero",
          lag == 0,
          "within " + (atFour.isEmpty() ? 0 : atFour.get(atFour.size() - 1).atMs()) + " ms");
      report.check(
          "read_committed, every session is exactly the oracle's across the rescale",
          sessions.equals(oracle),
          sessions.size() + " sessions of " + oracle.size());

      report.step(
          "An outage: the job is down while the generator writes "
              + String.format("%,d", OUTAGE)
              + " more; the topic keeps 1 MiB segments and is given retention.bytes of 1 MiB"
              + " per partition");
      run.configureTopic(Map.of("segment.bytes", SEGMENT_BYTES));
      Map<Integer, Long> readUpTo = run.endOffsets();
      produce(run, OUTAGE, 62, second.lastEventTime().plus(Duration.ofDays(1)));
      Map<String, List<Place>> unread = eventsFrom(run, readUpTo);
      run.configureTopic(Map.of("retention.bytes", SEGMENT_BYTES));
      Map<Integer, Long> startsAt = awaitExpiry(run, readUpTo);
      // An event is lost when every copy of it expired; a client's retry that outlived its first
      // copy still arrives, hours after the event, and meets a watermark far past it.
      Set<String> lost = new HashSet<>();
      Set<String> firstCopyLost = new HashSet<>();
      unread.forEach(
          (eventId, places) -> {
            long expired =
                places.stream()
                    .filter(p -> p.offset() < startsAt.getOrDefault(p.partition(), 0L))
                    .count();
            if (expired == places.size()) {
              lost.add(eventId);
            } else if (expired > 0) {
              firstCopyLost.add(eventId);
            }
          });
      List<List<Object>> partitions = new ArrayList<>();
      Map<Integer, Long> ends = run.endOffsets();
      readUpTo.forEach(
          (p, read) ->
              partitions.add(
                  List.of(
                      Integer.toString(p),
                      read,
                      startsAt.getOrDefault(p, 0L),
                      ends.get(p),
                      Math.max(0, startsAt.getOrDefault(p, 0L) - read))));
      report.table(
          List.of("partition", "job read up to", "topic starts at", "topic ends at", "lost"),
          partitions);

      report.step("The job starts again from its drained savepoint; the verifier runs");
      Job after = start(run, started, "output-after-outage.txt", 4, drained);
      awaitCaughtUp(run, group, after);
      stop(run, after, "3", true);
      Set<String> setAside = new HashSet<>();
      StreamOutputs.lateEvents(run.readCommitted(run.streamJobTopics(LABEL).lateTopic()))
          .forEach(late -> setAside.add(late.eventId()));
      List<ViewingEvent> kept =
          run.truth().stream()
              .filter(e -> !lost.contains(e.eventId()) && !setAside.contains(e.eventId()))
              .toList();
      List<ReferenceSession> withoutLost = ReferenceSessions.of(kept, LabRun.GAP);
      List<ReferenceSession> afterOutage = committedSessions(run);
      LabRun.Verdict verdict = run.verifyStream(LABEL);
      String named =
          verdict.lines().stream()
              .filter(line -> line.contains("records expired from the events topic"))
              .findFirst()
              .orElse("");
      report.note("verifier: " + named.strip());
      verdict.lines().stream()
          .filter(line -> line.contains("offsets 0.."))
          .forEach(line -> report.note("          " + line.strip()));
      report.check(
          "retention deleted records before the job read them",
          !lost.isEmpty(),
          lost.size() + " events of the outage were gone when the job came back");
      report.check(
          "every event the job set aside as late is a retry whose first copy expired",
          firstCopyLost.containsAll(setAside),
          setAside.size()
              + " set aside, of "
              + firstCopyLost.size()
              + " retries that outlived"
              + " their first copy");
      report.check(
          "the job carried on from where the topic starts now: its sessions are the oracle's over"
              + " every event but the lost and those set aside",
          afterOutage.equals(withoutLost)
              && !afterOutage.equals(ReferenceSessions.of(run.truth(), LabRun.GAP)),
          afterOutage.size()
              + " sessions, "
              + withoutLost.size()
              + " expected; over everything sent the oracle has "
              + ReferenceSessions.of(run.truth(), LabRun.GAP).size());
      if (!afterOutage.equals(withoutLost)) {
        report.note("missing, e.g.: " + firstNotIn(withoutLost, afterOutage));
        report.note("unexpected, e.g.: " + firstNotIn(afterOutage, withoutLost));
      }
      report.check(
          "the verifier fails and names the loss",
          verdict.exitCode() == 1 && named.contains("expired (retention)"),
          "exit code " + verdict.exitCode());
      report.note("look for yourself: the jobs' output in " + run.streamJobFolder(LABEL));
    } finally {
      for (JarProcess.Running process : started) {
        process.kill();
      }
    }
  }

  private static RunSummary produce(LabRun run, int count, int seed, Instant start)
      throws IOException {
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--count",
                Integer.toString(count),
                "--users",
                "3000",
                "--seed",
                Integer.toString(seed),
                "--late-rate",
                "0",
                "--malformed-rate",
                "0"));
    if (start != null) {
      flags.addAll(List.of("--start", start.toString()));
    }
    return run.produce(flags.toArray(new String[0]));
  }

  /** Starts the stream job at {@code parallelism}, from {@code savepoint} if given. */
  private static Job start(
      LabRun run,
      List<JarProcess.Running> started,
      String output,
      int parallelism,
      String savepoint)
      throws IOException, InterruptedException {
    FlinkJobRest rest = new FlinkJobRest();
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--checkpoint-interval",
                "1s",
                "--flink-conf",
                "parallelism.default=" + parallelism));
    flags.addAll(rest.flags());
    if (savepoint != null) {
      flags.addAll(List.of("--flink-conf", "execution.state-recovery.path=" + savepoint));
    }
    JarProcess.Running process =
        run.startStreamJob(LABEL, savepoint == null, output, flags.toArray(new String[0]));
    started.add(process);
    return new Job(process, rest, rest.awaitRunning(process, Duration.ofMinutes(2)), output);
  }

  /** Stops the job with a savepoint into {@code savepoints/<name>}; returns the savepoint. */
  private static String stop(LabRun run, Job job, String name, boolean drain)
      throws IOException, InterruptedException {
    Path folder = run.streamJobFolder(LABEL).resolve("savepoints").resolve(name);
    job.rest().stopWithSavepoint(job.id(), folder, drain, job.process(), Duration.ofMinutes(2));
    JarProcess.awaitEnd(
        "the stream job",
        job.process(),
        run.streamJobFolder(LABEL).resolve(job.output()),
        Duration.ofMinutes(2));
    try (Stream<Path> savepoints = Files.list(folder)) {
      List<Path> complete =
          savepoints.filter(dir -> Files.isRegularFile(dir.resolve("_metadata"))).toList();
      if (complete.size() != 1) {
        throw new IllegalStateException(
            "expected one complete savepoint in " + folder + ", found " + complete.size());
      }
      return complete.get(0).toAbsolutePath().toString();
    }
  }

  private static List<ReferenceSession> committedSessions(LabRun run) {
    return StreamOutputs.sessions(run.readCommitted(run.streamJobTopics(LABEL).sessionsTopic()));
  }

  /** Waits until the job's group has read the lab's topic to its end as of now. */
  private static void awaitCaughtUp(LabRun run, String group, Job job) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (run.lag(group) > 0) {
      if (!job.process().alive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the stream job did not catch up (" + job.output() + ")");
      }
      Thread.sleep(200);
    }
  }

  /** The places of the copies of every event with a record at or after {@code from}. */
  private static Map<String, List<Place>> eventsFrom(LabRun run, Map<Integer, Long> from) {
    Map<String, List<Place>> places = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : run.readCommitted(run.topic())) {
      if (record.offset() >= from.getOrDefault(record.partition(), 0L)
          && ViewingEventJson.parse(record.value(), record.timestamp())
              instanceof ParseResult.Valid valid) {
        places
            .computeIfAbsent(valid.event().eventId(), id -> new ArrayList<>())
            .add(new Place(record.partition(), record.offset()));
      }
    }
    return places;
  }

  /**
   * Waits until retention moved every partition's start past what the job had read and then stopped
   * moving it (three readings a second apart agree): one pass of the broker's retention check may
   * leave a partition above its limit until the next.
   */
  private static Map<Integer, Long> awaitExpiry(LabRun run, Map<Integer, Long> readUpTo)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    Map<Integer, Long> starts = run.startOffsets();
    int unchanged = 0;
    while (System.nanoTime() < deadline) {
      Thread.sleep(1_000);
      Map<Integer, Long> now = run.startOffsets();
      boolean pastRead =
          readUpTo.entrySet().stream()
              .allMatch(e -> now.getOrDefault(e.getKey(), 0L) > e.getValue());
      unchanged = now.equals(starts) && pastRead ? unchanged + 1 : 0;
      starts = now;
      if (unchanged == 2) {
        break;
      }
    }
    return new TreeMap<>(starts);
  }

  private static void addRows(List<List<Object>> rows, String parallelism, List<Sample> samples) {
    int step = Math.max(1, samples.size() / 8);
    for (int i = 0; i < samples.size(); i++) {
      if (i % step == 0 || i == samples.size() - 1) {
        Sample sample = samples.get(i);
        rows.add(List.of(i == 0 ? parallelism : "", sample.atMs(), sample.lag()));
      }
    }
  }

  /**
   * Records read per second, from the group's committed offsets, between the reading before they
   * first moved and the last one.
   */
  private static long readRate(List<Sample> samples) {
    if (samples.size() < 2) {
      return 0;
    }
    long initial = samples.get(0).read();
    Sample last = samples.get(samples.size() - 1);
    Sample from = samples.get(0);
    for (int i = 1; i < samples.size(); i++) {
      if (samples.get(i).read() > initial) {
        from = samples.get(i - 1);
        break;
      }
    }
    long ms = last.atMs() - from.atMs();
    return ms <= 0 ? 0 : (last.read() - from.read()) * 1000 / ms;
  }

  private static String firstNotIn(List<ReferenceSession> these, List<ReferenceSession> those) {
    Set<ReferenceSession> other = new HashSet<>(those);
    return these.stream()
        .filter(s -> !other.contains(s))
        .findFirst()
        .map(ReferenceSession::toString)
        .orElse("none");
  }

  private static String lastName(String path) {
    return path.replaceFirst("/+$", "").replaceFirst("^.*/", "");
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
