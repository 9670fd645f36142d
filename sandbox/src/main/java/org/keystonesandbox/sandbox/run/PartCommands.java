package org.keystonesandbox.sandbox.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
            "--web-ui-port", Integer.toString(settings.flinkUiPort()),
            "--progress-interval", "30s"));
    args.addAll(settings.streamArgs());
    return new PartCommand(STREAM_JOB, Jars.STREAM_JOB, List.of("-Xmx1g"), args);
  }

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
    args.addAll(settings.batchArgs());
    return new PartCommand(CHAIN, Jars.BATCH_JOB, List.of("-Xmx2g"), args);
  }

  PartCommand verifier() {
    return new PartCommand(
        VERIFIER,
        Jars.VERIFY,
        List.of("-Xmx2g"),
        List.of(
            "--generator-dir", data.generator().toString(),
            "--bootstrap-server", bootstrap(),
            "--warehouse", data.lake().toString(),
            "--report", data.verificationReport().toString(),
            "--ui-port", "0",
            "--wait", "2m"));
  }
}
