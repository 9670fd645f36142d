package org.keystonesandbox.stream;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.keystonesandbox.cli.CommandLines;
import org.keystonesandbox.cli.UsageException;
import org.keystonesandbox.stream.kafka.KafkaWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the stream job until its bounded input ends, it fails, or the process is stopped.
 *
 * <p>Started with {@code java -jar}, the job runs on a MiniCluster of its own, checkpoints into
 * {@link #LOCAL_CHECKPOINT_DIR} unless told otherwise, keeps its checkpoints when it stops and
 * resumes from the newest one; started by {@code flink run}, it is submitted to that cluster with
 * the cluster's own checkpoint settings. Either way it prints the job's counters every progress
 * interval to stderr, and the totals to stdout when the job ends.
 */
public final class StreamJob {
  private static final Logger LOG = LoggerFactory.getLogger(StreamJob.class);

  /** Where checkpoints go on the local MiniCluster without {@code --checkpoint-dir}. */
  public static final String LOCAL_CHECKPOINT_DIR = "data/stream-job/checkpoints";

  private static final String NAME = StreamJobPipeline.JOB_NAME;
  private static final Duration TOPIC_CREATION_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REPORT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration COUNTERS_TIMEOUT = Duration.ofSeconds(5);

  /** Runs whose checkpoints a local checkpoint folder keeps. */
  static final int CHECKPOINT_RUNS_KEPT = 3;

  private final PrintStream out;
  private final PrintStream err;

  public StreamJob(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /**
   * Creates the missing output topics, then runs the job and waits for it to end.
   *
   * @param fresh on the local MiniCluster: ignore the checkpoints found instead of resuming
   * @param progressInterval how often to print the counters
   * @return the result of the finished job, with its counters; null when {@code flink run -d}
   *     submitted it and left it to the cluster, or when the process is being stopped (Ctrl-C,
   *     SIGTERM) and the job was cancelled
   */
  public JobExecutionResult run(
      StreamJobSettings settings, boolean fresh, Duration progressInterval) throws Exception {
    boolean onItsOwnCluster =
        !(StreamExecutionEnvironment.getExecutionEnvironment() instanceof StreamContextEnvironment);
    if (onItsOwnCluster && settings.runtime().checkpointDir() != null) {
      requireFileSystem(new Path(settings.runtime().checkpointDir()));
    }
    if (settings.kafka().bounded() && !fresh) {
      refuseToResumeBounded(settings.runtime());
    }
    KafkaWiring.ensureOutputTopics(settings.kafka(), TOPIC_CREATION_TIMEOUT);
    StreamExecutionEnvironment env = environment(settings, fresh);
    StreamJobPipeline.wire(env, settings);
    LocalMiniCluster local =
        env instanceof StreamContextEnvironment ? null : new LocalMiniCluster();
    JobClient job =
        local == null
            ? env.executeAsync(StreamJobPipeline.JOB_NAME)
            : local.submit(env, StreamJobPipeline.JOB_NAME);
    if (local == null && !env.getConfiguration().get(DeploymentOptions.ATTACHED)) {
      out.println(
          NAME
              + ": submitted as job "
              + job.getJobID()
              + " (flink run -d: the cluster runs it; follow it in the cluster's web UI)");
      return null;
    }
    // Ctrl-C ends the process; cancelling first aborts the job's open Kafka transactions now.
    AtomicBoolean stopping = new AtomicBoolean();
    CountDownLatch reported = new CountDownLatch(1);
    Thread canceller =
        new Thread(
            () -> {
              stopping.set(true);
              cancelOnExit(job);
              awaitClosed(local);
              awaitReported(reported); // the JVM halts once the hooks are done
            },
            NAME + "-stop");
    Runtime.getRuntime().addShutdownHook(canceller);
    JobExecutionResult result;
    try {
      result = awaitWithProgress(job, progressInterval);
    } catch (Exception e) {
      if (!stopping.get()) {
        throw e;
      }
      // what the cancel makes the job's result or the progress line's requests throw
      err.println(NAME + ": stopped; the job was cancelled, its checkpoints are kept");
      return null;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(canceller);
      } catch (IllegalStateException exiting) {
        LOG.debug("Ctrl-C: the JVM is exiting and the hook is cancelling the job; nothing to undo");
      }
      awaitClosed(local);
      reported.countDown();
    }
    out.println(ProgressLine.totals(result.getAllAccumulatorResults()));
    return result;
  }

  /** The cluster of {@code flink run} when started by it, else a local MiniCluster. */
  private StreamExecutionEnvironment environment(StreamJobSettings settings, boolean fresh) {
    RuntimeSettings runtime = settings.runtime();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (env instanceof StreamContextEnvironment) {
      err.println(NAME + ": submitting to the Flink cluster of `flink run`");
      Configuration conf = StreamJobPipeline.flinkConfiguration(runtime);
      env.configure(conf);
      // flink run restores only what its -s names: without it the job starts with empty state.
      Optional<String> restoring =
          env.getConfiguration().getOptional(StateRecoveryOptions.SAVEPOINT_PATH);
      if (restoring.isEmpty()) {
        refuseToLoseState(settings.kafka());
      }
      if (runtime.checkpointDir() != null) {
        removeOldCheckpointsIfReachable(checkpointDir(conf).orElseThrow(), restoring);
      }
      return env;
    }
    Configuration conf = StreamJobPipeline.localClusterConfiguration(runtime);
    useLocalCheckpointDir(runtime, conf);
    useCheckpoints(conf, fresh, err);
    if (!conf.contains(StateRecoveryOptions.SAVEPOINT_PATH)) {
      refuseToLoseState(settings.kafka());
    }
    removeOldCheckpoints(conf);
    err.println(NAME + ": local MiniCluster, web UI at http://localhost:" + runtime.webUiPort());
    return StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
  }

  private static void useLocalCheckpointDir(RuntimeSettings runtime, Configuration conf) {
    if (runtime.checkpointDir() == null) {
      // Without a folder, checkpoints live in the job manager's heap, limited to 5 MB of state.
      StreamJobPipeline.useCheckpointDir(conf, RuntimeSettings.checkpointUri(LOCAL_CHECKPOINT_DIR));
    }
  }

  /**
   * A bounded run on the local MiniCluster does not restore: Flink's Kafka source, bounded and
   * restored from a checkpoint, reads to its stopping offsets and then never ends.
   */
  private static void refuseToResumeBounded(RuntimeSettings runtime) {
    Configuration conf = StreamJobPipeline.flinkConfiguration(runtime);
    useLocalCheckpointDir(runtime, conf);
    Optional<String> restore =
        conf.contains(StateRecoveryOptions.SAVEPOINT_PATH)
            ? Optional.of(conf.get(StateRecoveryOptions.SAVEPOINT_PATH))
            : checkpointDir(conf)
                .map(StreamJob::requireFileSystem)
                .flatMap(CheckpointFinder::newest)
                .map(Path::toString);
    if (restore.isPresent()) {
      throw new UsageException(
          "--bounded cannot resume from "
              + restore.get()
              + ": a bounded Kafka source restored from a checkpoint never ends; add --fresh,"
              + " or run without --bounded");
    }
  }

  /**
   * On the local MiniCluster: keeps the checkpoints when the job is cancelled, and restores from
   * the newest one found in the checkpoint folder unless {@code fresh} or a savepoint was given
   * with {@code --flink-conf}. The folder may have any scheme Flink has a file system for; another
   * is refused.
   */
  static void useCheckpoints(Configuration conf, boolean fresh, PrintStream err) {
    Optional<Path> dir = checkpointDir(conf);
    if (dir.isEmpty()) {
      return;
    }
    requireFileSystem(dir.get());
    conf.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    if (fresh || conf.contains(StateRecoveryOptions.SAVEPOINT_PATH)) {
      return;
    }
    CheckpointFinder.newest(dir.get())
        .ifPresent(
            checkpoint -> {
              err.println(NAME + ": resuming from " + checkpoint);
              conf.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toString());
              conf.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.NO_CLAIM);
            });
  }

  /**
   * A job that restores nothing but whose group committed offsets would, starting there, split the
   * sessions open at those offsets and forget the ids remembered before them: refused unless the
   * flags say where to start.
   */
  private static void refuseToLoseState(KafkaSettings kafka) {
    if (kafka.start() == KafkaSettings.StartingPoint.REFUSE_COMMITTED
        && KafkaWiring.hasCommittedOffsets(kafka, TOPIC_CREATION_TIMEOUT)) {
      throw new UsageException(
          "group "
              + kafka.groupId()
              + " has committed offsets on "
              + kafka.eventsTopic()
              + " but there is no checkpoint to resume from: add --from-earliest to read the"
              + " topic again and rebuild the state, or --from-committed to start at those"
              + " offsets with empty state");
    }
  }

  /**
   * Keeps the checkpoints of the newest {@link #CHECKPOINT_RUNS_KEPT} runs in the checkpoint folder
   * (and the one restored from) and deletes older runs', which would otherwise pile up.
   */
  private void removeOldCheckpoints(Configuration conf) {
    Optional<String> restoring = conf.getOptional(StateRecoveryOptions.SAVEPOINT_PATH);
    checkpointDir(conf).ifPresent(dir -> removeOldCheckpoints(dir, restoring));
  }

  private void removeOldCheckpoints(Path dir, Optional<String> restoring) {
    List<Path> removed = CheckpointFinder.removeAllButNewest(dir, CHECKPOINT_RUNS_KEPT, restoring);
    if (!removed.isEmpty()) {
      err.println(
          NAME + ": removed the checkpoints of " + removed.size() + " older run(s) in " + dir);
    }
  }

  /**
   * Under {@code flink run} the folder is the cluster's, which this client may not reach (another
   * machine's disk, a scheme whose file system only the cluster has): then nothing is removed here.
   */
  private void removeOldCheckpointsIfReachable(Path dir, Optional<String> restoring) {
    try {
      removeOldCheckpoints(dir, restoring);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      err.println(
          NAME
              + ": old checkpoints in "
              + dir
              + " not removed, the client cannot reach them ("
              + CommandLines.rootMessage(e)
              + ")");
    }
  }

  /** {@code dir}, if Flink has a file system for its scheme here; else a usage error. */
  private static Path requireFileSystem(Path dir) {
    try {
      CheckpointFinder.fileSystem(dir);
      return dir;
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          "--checkpoint-dir "
              + dir
              + ": this jar has no Flink file system for its scheme; use a folder (file:) or run"
              + " under flink run on a cluster that has one");
    }
  }

  /** The checkpoint folder the configuration names, of any scheme. */
  private static Optional<Path> checkpointDir(Configuration conf) {
    return conf.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).map(Path::new);
  }

  private JobExecutionResult awaitWithProgress(JobClient job, Duration progressInterval)
      throws Exception {
    long intervalMs = Math.max(100, progressInterval.toMillis());
    var finished = job.getJobExecutionResult();
    ProgressLine progress = new ProgressLine();
    while (true) {
      try {
        return finished.get(intervalMs, TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillRunning) {
        err.println(progressLine(job, progress));
      }
    }
  }

  /** The counters, or the job's status while they cannot be read (the job is still starting). */
  private static String progressLine(JobClient job, ProgressLine progress) throws Exception {
    try {
      return progress.next(
          job.getAccumulators().get(COUNTERS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    } catch (TimeoutException | ExecutionException countersUnavailable) {
      LOG.debug("counters unavailable, printing the job status instead", countersUnavailable);
      return NAME + ": " + job.getJobStatus().get() + "...";
    }
  }

  private static void awaitReported(CountDownLatch reported) {
    try {
      if (!reported.await(REPORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "the job's end was not reported within {}; the process exits anyway", REPORT_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("interrupted while the job's end was reported; the process exits anyway");
    }
  }

  private static void awaitClosed(LocalMiniCluster local) {
    if (local != null) {
      local.awaitClosed(CLOSE_TIMEOUT);
    }
  }

  private static void cancelOnExit(JobClient job) {
    try {
      job.cancel().get(CANCEL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("interrupted while cancelling the job; the process exits anyway");
    } catch (Exception e) {
      // Nothing is lost: uncommitted output is aborted when the job next starts, and the
      // checkpoints stay for the restart.
      LOG.warn(
          "could not cancel the job before exiting ({}); the process exits anyway",
          CommandLines.rootMessage(e));
      LOG.debug("cancel failure", e);
    }
  }
}
