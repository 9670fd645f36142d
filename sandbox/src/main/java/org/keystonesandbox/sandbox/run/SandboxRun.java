package org.keystonesandbox.sandbox.run;

import static org.keystonesandbox.sandbox.run.PartCommands.GENERATOR;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.sandbox.process.ChildProcess;
import org.keystonesandbox.sandbox.run.DataFolder.GeneratorRun;
import org.keystonesandbox.sandbox.status.StatusCollector;
import org.keystonesandbox.sandbox.status.StatusServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline on this machine, each part its own JVM: the embedded broker, the generator,
 * the Flink job on a MiniCluster, the Spark chain, then the verifier. The {@link Supervisor}
 * restarts parts that crash (the broker on its data, the Flink job from its newest checkpoint, the
 * chain from its marks). When the generator is done (its count or duration, or Ctrl-C), the {@link
 * Drain} lets the Flink job catch up and stop with a drain, lets the chain catch up, and runs the
 * verifier.
 */
public final class SandboxRun {
  private static final Logger LOG = LoggerFactory.getLogger(SandboxRun.class);

  /** The jars of the run's parts, all found before the run starts. */
  public static final List<String> JARS =
      List.of(Jars.KAFKA, Jars.GENERATOR, Jars.STREAM_JOB, Jars.BATCH_JOB, Jars.VERIFY);

  private static final Duration TITLES_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  private static final Duration STOP_GRACE_AT_EXIT = Duration.ofSeconds(10);

  /** What to run; see {@link org.keystonesandbox.sandbox.SandboxCommand} for the flags. */
  public record Settings(
      Path home,
      Path dataDir,
      boolean fresh,
      Long count,
      Duration duration,
      int rate,
      List<String> generatorArgs,
      List<String> streamArgs,
      List<String> batchArgs,
      int kafkaPort,
      int flinkUiPort,
      int sparkUiPort,
      int statusPort,
      String statusBind,
      Duration chainInterval,
      Duration statusEvery,
      Duration drainTimeout,
      Duration verifyTimeout,
      boolean keepServing) {}

  private static final String LOOPBACK = "127.0.0.1";

  private final Settings settings;
  private final PrintStream out;
  private final DataFolder data;
  private final PartCommands commands;
  private final Supervisor supervisor;
  private volatile boolean stopRequested;
  private volatile boolean serving;

  public SandboxRun(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
    this.data = new DataFolder(settings.dataDir());
    this.commands = new PartCommands(settings, data);
    this.supervisor = new Supervisor(new Jars(settings.home()), data, out);
  }

  /** Asks the run to stop generating and drain (what Ctrl-C does). */
  public void requestStop() {
    stopRequested = true;
  }

  /** Whether the run is over and only the status view is still up ({@code --keep-serving}). */
  public boolean finished() {
    return serving;
  }

  /** A running part, for the failure tests: see the names in {@link PartCommands}. */
  public Optional<ChildProcess> part(String name) {
    return supervisor.part(name);
  }

  /** Times a part was restarted after it crashed. */
  public int restartsOf(String name) {
    return supervisor.restartsOf(name);
  }

  /** Runs to the end; returns the verifier's exit code (0: every stage verified exactly). */
  public int run() throws Exception {
    preflight();
    try (AutoCloseable lock = data.lock()) {
      return runLocked();
    }
  }

  /**
   * What the run needs, checked before anything is deleted or started: the jars of its parts, and
   * the ports it listens on free.
   */
  private void preflight() throws InUseException {
    Jars jars = new Jars(settings.home());
    for (String jar : JARS) {
      jars.find(jar);
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    ports.put("--kafka-port", settings.kafkaPort());
    ports.put("--flink-ui-port", settings.flinkUiPort());
    ports.put("--spark-ui-port", settings.sparkUiPort());
    ports.put("--status-port", settings.statusPort());
    for (Map.Entry<String, Integer> entry : ports.entrySet()) {
      String flag = entry.getKey();
      int port = entry.getValue();
      String address = flag.equals("--status-port") ? settings.statusBind() : LOOPBACK;
      if (port > 0 && !free(address, port)) {
        throw new InUseException(
            "port "
                + port
                + " ("
                + flag
                + ") is in use: stop what listens there, or pick another with "
                + flag);
      }
    }
  }

  /** The status view's address as a browser on this machine opens it. */
  public static String statusUrl(String bind, int port) {
    String host =
        bind.equals(LOOPBACK) || bind.equals("0.0.0.0") || bind.equals("::") ? "localhost" : bind;
    return "http://" + host + ":" + port;
  }

  private static boolean free(String address, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(address, port));
      return true;
    } catch (IOException inUse) {
      return false;
    }
  }

  private int runLocked() throws Exception {
    data.prepare(settings.fresh(), out);
    Thread cleanup = new Thread(() -> supervisor.stopAll(STOP_GRACE_AT_EXIT), "sandbox-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    StatusCollector collector = new StatusCollector(statusSources());
    StatusServer status = null;
    try {
      if (settings.statusPort() >= 0) {
        status =
            new StatusServer(settings.statusBind(), settings.statusPort(), collector::latest)
                .start();
        out.printf("sandbox: status view at %s%n", statusUrl(settings.statusBind(), status.port()));
      }
      startBroker();
      GeneratorRun generatorRun = data.nextGeneratorRun();
      startGenerator(generatorRun);
      supervisor.awaitFile(generatorRun.titles(), GENERATOR, TITLES_TIMEOUT);
      supervisor.start(commands.streamJob());
      supervisor.start(commands.chain(generatorRun.titles()));
      out.printf(
          "sandbox: running; Flink UI http://localhost:%d, Spark UI %s, logs in %s; Ctrl-C stops and verifies%n",
          settings.flinkUiPort(),
          settings.sparkUiPort() > 0 ? "http://localhost:" + settings.sparkUiPort() : "off",
          data.logs());
      awaitGenerator(generatorRun, new StatusLines(collector, settings.statusEvery(), out));
      Drain drain = new Drain(settings, data, commands, supervisor, collector, out);
      drain.drain();
      int verdict = drain.verify();
      collector.poll();
      if (status != null && settings.keepServing()) {
        keepServing(status);
      }
      return verdict;
    } finally {
      supervisor.stopAll(STOP_GRACE);
      if (status != null) {
        status.close();
      }
      collector.close();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        LOG.debug("the JVM is already shutting down: the cleanup hook runs anyway", e);
      }
    }
  }

  private StatusCollector.Sources statusSources() {
    Map<String, String> links = new LinkedHashMap<>();
    links.put("flink", "http://localhost:" + settings.flinkUiPort());
    if (settings.sparkUiPort() > 0) {
      links.put("spark", "http://localhost:" + settings.sparkUiPort());
    }
    return new StatusCollector.Sources(
        "embedded",
        commands.bootstrap(),
        PipelineNames.EVENTS_TOPIC,
        PipelineNames.SESSIONS_TOPIC,
        PipelineNames.LATE_TOPIC,
        PipelineNames.DEAD_LETTER_TOPIC,
        PipelineNames.STREAM_JOB_GROUP,
        commands.flinkUrl(),
        data.lake(),
        PipelineNames.LAKE_NAMESPACE,
        data.batchRuns(),
        data.verificationReport(),
        data.generator(),
        links);
  }

  private void startBroker() throws InterruptedException {
    if (!supervisor.startBroker(commands.kafka())) {
      throw new IllegalStateException(
          "the Kafka broker did not start (is port "
              + settings.kafkaPort()
              + " free? --kafka-port picks another):\n"
              + supervisor.get(PartCommands.KAFKA).tail(15));
    }
  }

  private void startGenerator(GeneratorRun run) {
    run.start()
        .ifPresent(
            start ->
                out.printf(
                    "sandbox: generator run %d continues at event time %s%n", run.number(), start));
    supervisor.start(commands.generator(run));
  }

  /** Until the generator ends (count, duration, or a stop request), keeping the parts alive. */
  private void awaitGenerator(GeneratorRun run, StatusLines statusLines) throws Exception {
    ChildProcess generator = supervisor.get(GENERATOR);
    boolean stopSent = false;
    while (generator.isAlive()) {
      if (stopRequested && !stopSent) {
        out.println("sandbox: stopping the generator (it flushes what it sent), then draining");
        stopSent = true;
        generator.stop(Duration.ofSeconds(60));
      }
      supervisor.restartCrashed();
      statusLines.printIfDue();
      Thread.sleep(500);
    }
    int code = generator.exitCode();
    if (code != 0 && !stopSent) {
      out.printf(
          "sandbox: the generator ended with exit code %d (see %s):%n%s%n",
          code, generator.log(), generator.tail(5));
    }
    if (!Files.exists(run.summary())) {
      throw new IllegalStateException("the generator wrote no summary.json in " + run.dir());
    }
    out.println("sandbox: generator done: " + generator.tailOnOneLine(4));
  }

  /** {@code --keep-serving}: the status view stays up, frozen at the end, until a stop request. */
  private void keepServing(StatusServer status) throws InterruptedException {
    out.printf(
        "sandbox: the status view stays up at http://localhost:%d with the final figures;"
            + " Ctrl-C ends%n",
        status.port());
    stopRequested = false;
    serving = true;
    while (!stopRequested) {
      Thread.sleep(500);
    }
  }
}
