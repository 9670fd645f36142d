package org.keystonesandbox.sandbox.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.sandbox.run.DataFolder.GeneratorRun;

/**
 * The command lines of the parts, built from the run's settings and its data folder; starts
 * nothing.
 */
public final class PartCommands {
  public static final String KAFKA = "kafka";
  public static final String GENERATOR = "generator";
  public static final String STREAM_JOB = "stream-job";
  public static final String CHAIN = "chain";
  public static final String VERIFIER = "verify";

  /**
   * The environment of the Spark parts: Spark's UI listens on {@code SPARK_LOCAL_IP}, or on every
   * interface without it, whatever {@code spark.driver.bindAddress} says.
   */
  static final Map<String, String> SPARK_ON_LOOPBACK = Map.of("SPARK_LOCAL_IP", "127.0.0.1");

  /** The first run's seed; run N uses {@code SEED + N - 1}, every run the same title catalog. */
  static final long SEED = 42;

  private final SandboxRun.Settings settings;
  private final DataFolder data;

  PartCommands(SandboxRun.Settings settings, DataFolder data) {
    this.settings = settings;
    this.data = data;
  }

  String bootstrap() {
    return "127.0.0.1:" + settings.kafkaPort();
  }

  String flinkUrl() {
    return "http://127.0.0.1:" + settings.flinkUiPort();
  }

  PartCommand kafka() {
    return new PartCommand(
        KAFKA,
        Jars.KAFKA,
        List.of("-Xmx512m"),
        List.of(Integer.toString(settings.kafkaPort()), data.kafka().toString()));
  }

  PartCommand generator(GeneratorRun run) {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "--bootstrap-server", bootstrap(),
            "--out-dir", run.dir().toString(),
            "--rate", Integer.toString(settings.rate()),
            "--seed", Long.toString(SEED + run.number() - 1),
            "--catalog-seed", Long.toString(SEED),
            "--progress-interval", "10s",
            // Wait for a restarting broker as long as for an unacknowledged record, instead of
            // failing after the 10 s that suit a broker that is not there at all.
            "--producer-property", "max.block.ms=120000"));
    if (settings.count() != null) {
      args.addAll(List.of("--count", Long.toString(settings.count())));
    }
    if (settings.duration() != null) {
      args.addAll(List.of("--duration", settings.duration().toMillis() + "ms"));
    }
    run.start().ifPresent(start -> args.addAll(List.of("--start", start.toString())));
    args.addAll(settings.generatorArgs());
    return new PartCommand(GENERATOR, Jars.GENERATOR, List.of("-Xmx256m"), args);
  }

  PartCommand streamJob() {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "--bootstrap-server", bootstrap(),
            "--checkpoint-dir", data.checkpoints().toAbsolutePath().toString(),
            // a stream job killed -9 leaves Flink's temporary files in the data folder, which
            // --fresh deletes, instead of in /tmp for good
            "--flink-conf", "io.tmp.dirs=" + data.flinkTmp().toAbsolutePath(),
            "--web-ui-port", Integer.toString(settings.flinkUiPort()),
            "--progress-interval", "30s"));
    args.addAll(settings.streamArgs());
    return new PartCommand(STREAM_JOB, Jars.STREAM_JOB, List.of("-Xmx1g"), args);
  }

  /**
   * The chain, told the stream job's session gap when the run's stream-job flags set one and its
   * own flags do not, so that silver's sessions are the stream job's.
   */
  PartCommand chain(Path titles) {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "chain",
            "--bootstrap-server",
            bootstrap(),
            "--warehouse",
            data.lake().toString(),
            "--titles",
            titles.toString(),
            "--run-log",
            data.batchRuns().toString(),
            "--interval",
            settings.chainInterval().toMillis() + "ms",
            "--ui-port",
            Integer.toString(settings.sparkUiPort()),
            "--shuffle-partitions",
            "4"));
    // Silver cuts the sessions the stream job cuts: the same gap, unless the batch flags set one.
    if (flagValue(settings.batchArgs(), SESSION_GAP).isEmpty()) {
      flagValue(settings.streamArgs(), SESSION_GAP)
          .ifPresent(gap -> args.addAll(List.of(SESSION_GAP, gap)));
    }
    args.addAll(settings.batchArgs());
    return new PartCommand(CHAIN, Jars.BATCH_JOB, List.of("-Xmx2g"), args, SPARK_ON_LOOPBACK);
  }

  /**
   * The verifier, told the stream job's session gap, allowed lateness and out-of-orderness when the
   * run's stream-job flags set them, so that it expects what the job was asked to do.
   */
  PartCommand verifier() {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--generator-dir", data.generator().toString(),
                "--bootstrap-server", bootstrap(),
                "--warehouse", data.lake().toString(),
                "--report", data.verificationReport().toString(),
                "--ui-port", "0",
                "--wait", "2m"));
    for (String flag : STREAM_SETTINGS_THE_VERIFIER_NEEDS) {
      flagValue(settings.streamArgs(), flag).ifPresent(value -> args.addAll(List.of(flag, value)));
    }
    return new PartCommand(VERIFIER, Jars.VERIFY, List.of("-Xmx2g"), args, SPARK_ON_LOOPBACK);
  }

  private static final String SESSION_GAP = "--session-gap";

  private static final List<String> STREAM_SETTINGS_THE_VERIFIER_NEEDS =
      List.of(SESSION_GAP, "--allowed-lateness", "--out-of-orderness");

  /** The value of {@code flag} in {@code args} ({@code --flag value} or {@code --flag=value}). */
  static Optional<String> flagValue(List<String> args, String flag) {
    Optional<String> value = Optional.empty();
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals(flag) && i + 1 < args.size()) {
        value = Optional.of(args.get(i + 1));
      } else if (args.get(i).startsWith(flag + "=")) {
        value = Optional.of(args.get(i).substring(flag.length() + 1));
      }
    }
    return value;
  }
}
