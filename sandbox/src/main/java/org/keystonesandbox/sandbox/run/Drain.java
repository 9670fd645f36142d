package org.keystonesandbox.sandbox.run;

import static org.keystonesandbox.sandbox.run.PartCommands.CHAIN;
import static org.keystonesandbox.sandbox.run.PartCommands.STREAM_JOB;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.sandbox.process.ChildProcess;
import org.keystonesandbox.sandbox.status.FlinkRest;
import org.keystonesandbox.sandbox.status.KafkaProgress;
import org.keystonesandbox.sandbox.status.LakeMetadata;
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
  private static final Duration VERIFIER_TIMEOUT = Duration.ofMinutes(10);

  private final SandboxRun.Settings settings;
  private final DataFolder data;
  private final PartCommands commands;
  private final Supervisor supervisor;
  private final StatusLines statusLines;
  private final PrintStream out;

  Drain(
      SandboxRun.Settings settings,
      DataFolder data,
      PartCommands commands,
      Supervisor supervisor,
      StatusLines statusLines,
      PrintStream out) {
    this.settings = settings;
    this.data = data;
    this.commands = commands;
    this.supervisor = supervisor;
    this.statusLines = statusLines;
    this.out = out;
  }

  /** Lets the Flink job and the chain catch up with everything generated, then stops them. */
  void drain() throws Exception {
    out.println("sandbox: draining: waiting for the Flink job and the chain to catch up");
    long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
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

  private void awaitRound(long deadline, String what) throws InterruptedException {
    supervisor.restartCrashed();
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(
          "gave up waiting for "
              + what
              + " after "
              + settings.drainTimeout().toSeconds()
              + "s; see the logs in "
              + data.logs());
    }
    statusLines.printIfDue();
    Thread.sleep(1000);
  }

  private boolean streamJobCommittedEverything(KafkaProgress kafka) {
    try {
      Map<Integer, Long> end = kafka.endOffsets(PipelineNames.EVENTS_TOPIC);
      return !end.isEmpty()
          && KafkaProgress.lag(
                  end, kafka.committed(PipelineNames.STREAM_JOB_GROUP, PipelineNames.EVENTS_TOPIC))
              == 0;
    } catch (Exception e) {
      LOG.debug("Kafka does not answer (restarting?); the Flink job counts as behind", e);
      return false;
    }
  }

  private static boolean goldUpToDate(KafkaProgress kafka, LakeMetadata lake) {
    try {
      Map<Integer, Long> end = kafka.endOffsets(PipelineNames.EVENTS_TOPIC);
      return !end.isEmpty() && end.equals(lake.bronzeOffsets()) && lake.goldCaughtUp();
    } catch (Exception e) {
      LOG.debug("Kafka or the lake does not answer; the chain counts as behind", e);
      return false;
    }
  }

  private void stopStreamJobWithDrain() throws Exception {
    FlinkRest flink = new FlinkRest(commands.flinkUrl());
    String jobId = flink.job().orElseThrow(() -> new IllegalStateException("no Flink job")).id();
    out.println("sandbox: stopping the Flink job with a drain (closes every open session)");
    supervisor.retire(STREAM_JOB);
    ChildProcess streamJob = supervisor.get(STREAM_JOB);
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
  }

  /**
   * Runs the verifier, prints its report (and keeps it as text next to the JSON); returns the
   * verifier's exit code.
   */
  int verify() throws Exception {
    out.println("sandbox: verifying every stage against the ground truth");
    Instant started = Instant.now();
    ChildProcess verifier = supervisor.start(commands.verifier());
    verifier.await(VERIFIER_TIMEOUT);
    Optional<Report> report = reportWrittenSince(data.verificationReport(), started);
    Integer code = verifier.exitCode();
    if (report.isEmpty()) {
      out.printf(
          "sandbox: the verifier wrote no report (%s); last lines of %s:%n%s%n",
          code == null
              ? "still running after " + VERIFIER_TIMEOUT.toMinutes() + " min"
              : "exit code " + code,
          verifier.log(),
          verifier.tail(20));
      return code == null || code == ExitCodes.OK ? ExitCodes.ERROR : code;
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
