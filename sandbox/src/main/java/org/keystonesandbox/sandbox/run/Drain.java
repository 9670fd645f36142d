package org.keystonesandbox.sandbox.run;

import static org.keystonesandbox.sandbox.run.PartCommands.CHAIN;
import static org.keystonesandbox.sandbox.run.PartCommands.STREAM_JOB;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;
import org.keystonesandbox.cli.CommandLines;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.events.names.StreamCounters;
import org.keystonesandbox.sandbox.process.ChildProcess;
import org.keystonesandbox.sandbox.status.FlinkRest;
import org.keystonesandbox.sandbox.status.KafkaProgress;
import org.keystonesandbox.sandbox.status.LakeMetadata;
import org.keystonesandbox.sandbox.status.StatusCollector;
import org.keystonesandbox.verify.report.Report;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a run, once the generator is done: the Flink job reads every record and stops with a
 * drain (closing every open session), the chain brings gold up to date, then the verifier compares
 * every stage with the ground truth.
 */
final class Drain {
  private static final Logger LOG = LoggerFactory.getLogger(Drain.class);
  private static final Duration STOP_WITH_DRAIN_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration VERIFIER_STOP_GRACE = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Two runs' worth at the chain's default of three attempts per stage. */
  static final int CHAIN_FAILURES_IN_A_ROW = 6;

  private final SandboxRun.Settings settings;
  private final DataFolder data;
  private final PartCommands commands;
  private final Supervisor supervisor;
  private final StatusCollector collector;
  private final StatusLines statusLines;
  private final PrintStream out;
  private long runLogAtStart;
  private String lastUnavailable;

  Drain(
      SandboxRun.Settings settings,
      DataFolder data,
      PartCommands commands,
      Supervisor supervisor,
      StatusCollector collector,
      PrintStream out) {
    this.settings = settings;
    this.data = data;
    this.commands = commands;
    this.supervisor = supervisor;
    this.collector = collector;
    this.statusLines = new StatusLines(collector, settings.statusEvery(), out);
    this.out = out;
  }

  /**
   * Lets the Flink job and the chain catch up with everything generated, then stops them. A problem
   * that waiting cannot cure (offsets past the topic's end, a chain that fails every attempt, an
   * error that is not Kafka being unavailable) ends the drain at once, named.
   */
  void drain() throws Exception {
    out.println("sandbox: draining: waiting for the Flink job and the chain to catch up");
    long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
    runLogAtStart = Files.exists(data.batchRuns()) ? Files.size(data.batchRuns()) : 0;
    try (KafkaProgress kafka = new KafkaProgress(commands.bootstrap())) {
      while (!streamJobCommittedEverything(kafka)) {
        awaitRound(deadline, "the Flink job to read every record");
      }
      stopStreamJobWithDrain();
      LakeMetadata lake = new LakeMetadata(data.lake(), PipelineNames.LAKE_NAMESPACE);
      while (!goldUpToDate(kafka, lake)) {
        awaitRound(deadline, "the chain to bring gold up to date");
      }
      supervisor.retire(CHAIN);
      supervisor.stop(CHAIN, Duration.ofSeconds(60));
      statusLines.printNow();
    }
  }

  private void awaitRound(long deadline, String what) throws Exception {
    supervisor.restartCrashed();
    Optional<String> chainFailing =
        chainFailingSince(data.batchRuns(), runLogAtStart, CHAIN_FAILURES_IN_A_ROW);
    if (chainFailing.isPresent()) {
      throw new IllegalStateException(
          "the chain failed "
              + CHAIN_FAILURES_IN_A_ROW
              + " attempts in a row while draining, the last: "
              + chainFailing.get()
              + "; see "
              + data.log(CHAIN));
    }
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(
          "gave up waiting for "
              + what
              + " after "
              + settings.drainTimeout().toSeconds()
              + "s"
              + (lastUnavailable == null ? "" : " (last seen: " + lastUnavailable + ")")
              + "; see the logs in "
              + data.logs());
    }
    statusLines.printIfDue();
    Thread.sleep(1000);
  }

  private boolean streamJobCommittedEverything(KafkaProgress kafka) throws Exception {
    Map<Integer, Long> end;
    Map<Integer, Long> committed;
    try {
      end = kafka.endOffsets(PipelineNames.EVENTS_TOPIC);
      committed = kafka.committed(PipelineNames.STREAM_JOB_GROUP, PipelineNames.EVENTS_TOPIC);
    } catch (Exception e) {
      return unavailable(e, "reading the Flink job's progress from Kafka");
    }
    if (end.isEmpty()) {
      lastUnavailable = "the topic " + PipelineNames.EVENTS_TOPIC + " does not exist";
      return false;
    }
    requireWithin(end, committed, "the Flink job's committed offsets");
    return KafkaProgress.lag(end, committed) == 0;
  }

  private boolean goldUpToDate(KafkaProgress kafka, LakeMetadata lake) throws Exception {
    Map<Integer, Long> end;
    try {
      end = kafka.endOffsets(PipelineNames.EVENTS_TOPIC);
    } catch (Exception e) {
      return unavailable(e, "reading the events topic's end from Kafka");
    }
    if (end.isEmpty()) {
      lastUnavailable = "the topic " + PipelineNames.EVENTS_TOPIC + " does not exist";
      return false;
    }
    Map<Integer, Long> bronze = lake.bronzeOffsets();
    requireWithin(end, bronze, "the offsets bronze committed");
    return end.equals(bronze) && lake.goldCaughtUp();
  }

  /**
   * Kafka not answering (a restarting broker) is waited out, and remembered for the timeout's
   * message; any other failure is thrown at once.
   */
  private boolean unavailable(Exception e, String what) throws Exception {
    if (!isUnavailable(e)) {
      throw new IllegalStateException(
          "the drain stopped: " + what + " failed: " + CommandLines.rootMessage(e), e);
    }
    LOG.debug("{}: Kafka does not answer (restarting?); counted as behind", what, e);
    lastUnavailable = what + ": " + CommandLines.rootMessage(e);
    return false;
  }

  /** Whether {@code e} says that Kafka does not answer now, which a later attempt may cure. */
  static boolean isUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException
          || t instanceof RetriableException
          || t instanceof ConnectException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Fails unless {@code read} stays within the events topic's {@code end}: a reader past its end
   * (the topic was deleted and created again) never catches up by waiting.
   */
  static void requireWithin(Map<Integer, Long> end, Map<Integer, Long> read, String reader) {
    read.forEach(
        (partition, offset) -> {
          long last = end.getOrDefault(partition, -1L);
          if (offset > last) {
            throw new IllegalStateException(
                String.format(
                    "the drain stopped: %s are past the end of %s (partition %d: %d, end %s);"
                        + " was the topic deleted and created again? start with --fresh",
                    reader,
                    PipelineNames.EVENTS_TOPIC,
                    partition,
                    offset,
                    last < 0 ? "no such partition" : Long.toString(last)));
          }
        });
  }

  /**
   * The last error if the run log's attempts after {@code offset} end with {@code inARow} failed
   * ones: a chain that keeps failing while nothing new arrives fails the same way until the drain
   * times out.
   */
  static Optional<String> chainFailingSince(Path runLog, long offset, int inARow)
      throws IOException {
    if (!Files.exists(runLog)) {
      return Optional.empty();
    }
    int failed = 0;
    String last = null;
    for (String line : linesAfter(runLog, offset)) {
      JsonNode entry;
      try {
        entry = JSON.readTree(line);
      } catch (JsonProcessingException cutShort) {
        // the status view counts those lines for the user
        LOG.debug("run log line skipped: mid-append, or cut short by a kill", cutShort);
        continue;
      }
      if ("ok".equals(entry.path("status").asText())) {
        failed = 0;
      } else {
        failed++;
        last =
            String.format(
                "run %d %s: %s",
                entry.path("run").asLong(),
                entry.path("stage").asText(),
                entry.path("error").asText("no error recorded"));
      }
    }
    return failed >= inARow ? Optional.of(last) : Optional.empty();
  }

  /** The lines of {@code file} written after its first {@code offset} bytes. */
  private static List<String> linesAfter(Path file, long offset) throws IOException {
    try (SeekableByteChannel channel = Files.newByteChannel(file)) {
      channel.position(Math.min(offset, channel.size()));
      return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .toList();
    }
  }

  private void stopStreamJobWithDrain() throws Exception {
    FlinkRest flink = new FlinkRest(commands.flinkUrl());
    String jobId = flink.job().orElseThrow(() -> new IllegalStateException("no Flink job")).id();
    out.println("sandbox: stopping the Flink job with a drain (closes every open session)");
    supervisor.retire(STREAM_JOB);
    ChildProcess streamJob = supervisor.get(STREAM_JOB);
    long logBefore = Files.size(streamJob.log());
    try {
      String savepoint =
          flink.stopWithDrain(
              jobId,
              data.checkpoints().toAbsolutePath().toUri().toString(),
              STOP_WITH_DRAIN_TIMEOUT);
      out.println("sandbox: Flink job drained; savepoint " + savepoint);
    } catch (IOException e) {
      // The job's process ends as soon as the drained job finishes, which can be before the
      // savepoint's status is asked for: its exit code then tells whether it finished cleanly.
      if (!streamJob.await(Duration.ofSeconds(60)) || streamJob.exitCode() != 0) {
        IllegalStateException failure =
            new IllegalStateException(
                "the Flink job did not stop cleanly: "
                    + e.getMessage()
                    + "\n"
                    + streamJob.tail(10));
        // Suppressed, not the cause: the one-line error names the innermost cause, and this
        // message, with the job's last log lines, is the one to show.
        failure.addSuppressed(e);
        throw failure;
      }
      out.println("sandbox: Flink job drained: " + streamJob.tailOnOneLine(1));
    }
    streamJob.await(Duration.ofSeconds(60));
    Optional<Map<String, Long>> totals = finalCounters(streamJob.log(), logBefore);
    if (totals.isPresent()) {
      collector.streamDrained(totals.get());
    } else {
      LOG.warn(
          "the Flink job printed no final counters in {}; the status view keeps the last polled ones",
          streamJob.log());
    }
  }

  /** The totals of the last "finished" line the job wrote after {@code offset} of its log. */
  static Optional<Map<String, Long>> finalCounters(Path log, long offset) throws IOException {
    List<String> lines = linesAfter(log, offset);
    for (int i = lines.size() - 1; i >= 0; i--) {
      Optional<Map<String, Long>> totals = StreamCounters.parseFinishedLine(lines.get(i));
      if (totals.isPresent()) {
        return totals;
      }
    }
    return Optional.empty();
  }

  /**
   * Runs the verifier, prints its report (and keeps it as text next to the JSON); returns the
   * verifier's exit code.
   */
  int verify() throws Exception {
    out.println("sandbox: verifying every stage against the ground truth");
    Instant started = Instant.now();
    ChildProcess verifier = supervisor.start(commands.verifier());
    boolean ended = verifier.await(settings.verifyTimeout());
    if (!ended) {
      out.printf(
          "sandbox: the verifier is still running after %ds (--verify-timeout): stopping it%n",
          settings.verifyTimeout().toSeconds());
      verifier.stop(VERIFIER_STOP_GRACE);
    }
    Optional<Report> report = reportWrittenSince(data.verificationReport(), started);
    Integer code = verifier.exitCode();
    if (!ended || report.isEmpty()) {
      out.printf(
          "sandbox: the verifier wrote no report (%s); last lines of %s:%n%s%n",
          ended ? "exit code " + code : "stopped after --verify-timeout",
          verifier.log(),
          verifier.tail(20));
      return !ended || code == null || code == ExitCodes.OK ? ExitCodes.ERROR : code;
    }
    String text = report.get().text();
    Path textFile = data.verificationText();
    Files.createDirectories(textFile.getParent());
    Files.writeString(textFile, text);
    out.println();
    out.print(text);
    return code == null ? ExitCodes.ERROR : code;
  }

  /** The report the verifier wrote after {@code since}: an older one is a previous run's. */
  static Optional<Report> reportWrittenSince(Path file, Instant since) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      Report report = Report.readJson(file);
      return Instant.parse(report.at()).isBefore(since) ? Optional.empty() : Optional.of(report);
    } catch (UncheckedIOException e) {
      LOG.warn("the verifier's report {} is unreadable; treated as missing", file, e);
      return Optional.empty();
    }
  }
}
