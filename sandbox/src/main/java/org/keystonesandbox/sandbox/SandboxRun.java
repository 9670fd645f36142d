package org.keystonesandbox.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.keystonesandbox.sandbox.process.ChildProcess;
import org.keystonesandbox.sandbox.process.Jars;
import org.keystonesandbox.sandbox.status.FlinkRest;
import org.keystonesandbox.sandbox.status.KafkaProgress;
import org.keystonesandbox.sandbox.status.LakeMetadata;
import org.keystonesandbox.sandbox.status.StatusCollector;
import org.keystonesandbox.sandbox.status.StatusServer;

/**
 * The whole pipeline on this machine, each part its own JVM: the embedded broker, the generator,
 * the Flink job on a MiniCluster, the Spark chain, then the verifier. Parts that crash are
 * restarted (the broker on its data, the Flink job from its newest checkpoint, the chain from its
 * marks). When the generator is done (its count or duration, or Ctrl-C), the run drains: the Flink
 * job catches up and stops with a drain (closing every open session), the chain catches up, and the
 * verifier compares every stage with the ground truth.
 */
public final class SandboxRun {
  static final String MARKER = ".keystone-sandbox";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_RESTARTS = 10;
  private static final Duration RESTART_PAUSE = Duration.ofSeconds(5);

  /** What to run; see {@link SandboxCommand} for the flags. */
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
      Duration chainInterval,
      Duration statusEvery,
      Duration drainTimeout,
      boolean keepServing) {}

  private final Settings settings;
  private final PrintStream out;
  private final Jars jars;
  private final Map<String, ChildProcess> parts = new LinkedHashMap<>();
  private final Map<String, Integer> restarts = new LinkedHashMap<>();
  private final Map<String, Long> endedAt = new LinkedHashMap<>();
  private volatile boolean stopRequested;
  private volatile boolean serving;

  /** Parts that ended on purpose: never restarted. */
  private final java.util.Set<String> retired = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private StatusCollector collector;
  private Path firstRunDir;

  public SandboxRun(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
    this.jars = new Jars(settings.home());
  }

  /** Asks the run to stop generating and drain (what Ctrl-C does). */
  public void requestStop() {
    stopRequested = true;
  }

  /** Whether the run is over and only the status view is still up ({@code --keep-serving}). */
  public boolean finished() {
    return serving;
  }

  /** A running part, for the failure tests: kafka, generator, stream-job, chain. */
  public Optional<ChildProcess> part(String name) {
    synchronized (parts) {
      return Optional.ofNullable(parts.get(name));
    }
  }

  /** Times a part was restarted after it crashed. */
  public int restartsOf(String name) {
    synchronized (parts) {
      return restarts.getOrDefault(name, 0);
    }
  }

  private Path data(String first, String... more) {
    return settings.dataDir().resolve(Path.of(first, more));
  }

  private String bootstrap() {
    return "127.0.0.1:" + settings.kafkaPort();
  }

  /** Runs to the end; returns the verifier's exit code (0: every stage verified exactly). */
  public int run() throws Exception {
    prepareDataDir();
    Thread cleanup = new Thread(this::killAll, "sandbox-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    collector =
        new StatusCollector(
            new StatusCollector.Sources(
                "embedded",
                bootstrap(),
                "viewing-events",
                "viewing-sessions",
                "late-events",
                "events-dlq",
                "keystone-stream-job",
                "http://127.0.0.1:" + settings.flinkUiPort(),
                data("lake"),
                "keystone",
                data("batch-runs.jsonl"),
                data("verify", "report.json"),
                data("generator"),
                links()));
    StatusServer status = null;
    try {
      if (settings.statusPort() >= 0) {
        status = new StatusServer("0.0.0.0", settings.statusPort(), collector::latest).start();
        out.printf("sandbox: status view at http://localhost:%d%n", status.port());
      }
      startKafka();
      Path runDir = startGenerator();
      Path titles = firstRunDir.resolve("titles.csv");
      awaitFile(titles, parts.get("generator"), Duration.ofSeconds(60));
      startStreamJob();
      startChain(titles);
      out.printf(
          "sandbox: running; Flink UI http://localhost:%d, Spark UI %s, logs in %s; Ctrl-C stops and verifies%n",
          settings.flinkUiPort(),
          settings.sparkUiPort() > 0 ? "http://localhost:" + settings.sparkUiPort() : "off",
          data("logs"));
      generate(runDir);
      drain();
      int verdict = verify();
      collector.poll();
      if (status != null && settings.keepServing()) {
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
      return verdict;
    } finally {
      stopPart("chain", Duration.ofSeconds(30));
      stopPart("stream-job", Duration.ofSeconds(30));
      stopPart("generator", Duration.ofSeconds(30));
      stopPart("kafka", Duration.ofSeconds(30));
      if (status != null) {
        status.close();
      }
      collector.close();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs anyway
      }
    }
  }

  private Map<String, String> links() {
    Map<String, String> links = new LinkedHashMap<>();
    links.put("flink", "http://localhost:" + settings.flinkUiPort());
    if (settings.sparkUiPort() > 0) {
      links.put("spark", "http://localhost:" + settings.sparkUiPort());
    }
    return links;
  }

  private void prepareDataDir() throws IOException {
    Path dir = settings.dataDir();
    boolean isSandbox = Files.exists(dir.resolve(MARKER));
    boolean empty = !Files.exists(dir) || isEmpty(dir);
    if (!isSandbox && !empty) {
      throw new IllegalArgumentException(
          dir + " is not empty and not a sandbox data folder: pick another --data-dir");
    }
    if (settings.fresh() && isSandbox) {
      out.println("sandbox: --fresh: deleting " + dir);
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    } else if (isSandbox) {
      out.println("sandbox: continuing the pipeline in " + dir + " (--fresh starts over)");
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(MARKER), "a keystone-sandbox data folder; --fresh deletes it\n");
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private void startKafka() throws Exception {
    Path log = data("logs", "kafka.log");
    long readyBefore = readyLines(log);
    start(
        "kafka",
        Jars.KAFKA,
        List.of("-Xmx512m"),
        List.of(Integer.toString(settings.kafkaPort()), data("kafka").toString()));
    if (!awaitKafka(parts.get("kafka"), readyBefore, Duration.ofSeconds(90))) {
      throw new IllegalStateException(
          "the Kafka broker did not start (is port "
              + settings.kafkaPort()
              + " free? --kafka-port picks another):\n"
              + parts.get("kafka").tail(15));
    }
  }

  /** Waits for the broker's ready line beyond the {@code readyBefore} its log already had. */
  private static boolean awaitKafka(ChildProcess kafka, long readyBefore, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (readyLines(kafka.log()) <= readyBefore) {
      if (!kafka.isAlive() || System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(250);
    }
    return true;
  }

  private static long readyLines(Path log) {
    try (Stream<String> lines = Files.lines(log)) {
      return lines.filter(l -> l.contains("embedded-kafka: ready")).count();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  private Path startGenerator() throws IOException {
    List<Path> earlier = runDirs();
    int runNumber = earlier.size() + 1;
    Path runDir = data("generator", String.format("run-%03d", runNumber));
    firstRunDir = earlier.isEmpty() ? runDir : earlier.get(0);
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "--bootstrap-server", bootstrap(),
            "--out-dir", runDir.toString(),
            "--rate", Integer.toString(settings.rate()),
            "--seed", Long.toString(42L + runNumber - 1),
            "--catalog-seed", "42",
            "--progress-interval", "10s",
            // Wait for a restarting broker as long as for an unacknowledged record, instead of
            // failing after the 10 s that suit a broker that is not there at all.
            "--producer-property", "max.block.ms=120000"));
    if (settings.count() != null) {
      args.addAll(List.of("--count", Long.toString(settings.count())));
    }
    if (settings.duration() != null) {
      args.addAll(List.of("--duration", settings.duration().toSeconds() + "s"));
    }
    Optional<Instant> after = lastEventTime(earlier);
    if (after.isPresent()) {
      // A day boundary more than a session gap after the last run's events: no session spans two
      // runs, so the drain that ended the last run changed no answer.
      Instant start =
          after
              .get()
              .plus(1, ChronoUnit.HOURS)
              .truncatedTo(ChronoUnit.DAYS)
              .plus(1, ChronoUnit.DAYS);
      args.addAll(List.of("--start", start.toString()));
      out.printf("sandbox: generator run %d continues at event time %s%n", runNumber, start);
    }
    args.addAll(settings.generatorArgs());
    start("generator", Jars.GENERATOR, List.of("-Xmx256m"), args);
    return runDir;
  }

  private List<Path> runDirs() throws IOException {
    Path dir = data("generator");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(dir)) {
      return children.filter(d -> d.getFileName().toString().startsWith("run-")).sorted().toList();
    }
  }

  private static Optional<Instant> lastEventTime(List<Path> runs) throws IOException {
    Instant last = null;
    for (Path run : runs) {
      Path summary = run.resolve("summary.json");
      if (!Files.exists(summary)) {
        throw new IllegalStateException(
            run + " has no summary.json: that run did not finish; start over with --fresh");
      }
      Instant t = Instant.parse(JSON.readTree(summary.toFile()).path("last_event_time").asText());
      last = last == null || t.isAfter(last) ? t : last;
    }
    return Optional.ofNullable(last);
  }

  private void startStreamJob() {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "--bootstrap-server", bootstrap(),
            "--checkpoint-dir", data("stream-job", "checkpoints").toAbsolutePath().toString(),
            "--web-ui-port", Integer.toString(settings.flinkUiPort()),
            "--progress-interval", "30s"));
    args.addAll(settings.streamArgs());
    start("stream-job", Jars.STREAM_JOB, List.of("-Xmx1g"), args);
  }

  private void startChain(Path titles) {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "chain",
            "--bootstrap-server",
            bootstrap(),
            "--warehouse",
            data("lake").toString(),
            "--titles",
            titles.toString(),
            "--run-log",
            data("batch-runs.jsonl").toString(),
            "--interval",
            settings.chainInterval().toSeconds() + "s",
            "--ui-port",
            Integer.toString(settings.sparkUiPort()),
            "--shuffle-partitions",
            "4"));
    args.addAll(settings.batchArgs());
    start("chain", Jars.BATCH_JOB, List.of("-Xmx2g"), args);
  }

  private void start(String name, String jar, List<String> jvm, List<String> args) {
    ChildProcess part =
        new ChildProcess(name, jars.find(jar), jvm, args, data("logs", name + ".log")).start();
    synchronized (parts) {
      parts.put(name, part);
    }
  }

  /** Until the generator ends (count, duration, or a stop request), keeping the parts alive. */
  private void generate(Path runDir) throws Exception {
    ChildProcess generator = parts.get("generator");
    long nextLine = 0;
    boolean stopSent = false;
    while (generator.isAlive()) {
      if (stopRequested && !stopSent) {
        out.println("sandbox: stopping the generator (it flushes what it sent), then draining");
        stopSent = true;
        generator.stop(Duration.ofSeconds(60));
      }
      superviseParts();
      nextLine = statusLine(nextLine);
      Thread.sleep(500);
    }
    int code = generator.exitCode();
    if (code != 0 && !stopSent) {
      out.printf(
          "sandbox: the generator ended with exit code %d (see %s):%n%s%n",
          code, generator.log(), generator.tail(5));
    }
    if (!Files.exists(runDir.resolve("summary.json"))) {
      throw new IllegalStateException("the generator wrote no summary.json in " + runDir);
    }
    out.println("sandbox: generator done: " + lastLines(generator, 4));
  }

  private static String lastLines(ChildProcess part, int n) {
    return part.tail(n).lines().map(String::strip).reduce((a, b) -> a + " | " + b).orElse("");
  }

  /** Restarts a crashed broker, Flink job or chain (up to a limit), as a supervisor would. */
  private void superviseParts() throws Exception {
    for (String name : List.of("kafka", "stream-job", "chain")) {
      ChildProcess part = parts.get(name);
      if (part == null || part.isAlive() || retired.contains(name)) {
        continue;
      }
      // A pause before each restart, so that a part failing while Kafka is down does not use
      // up its restarts at once.
      long ended = endedAt.computeIfAbsent(name, n -> System.nanoTime());
      if (System.nanoTime() - ended < RESTART_PAUSE.toNanos()) {
        continue;
      }
      endedAt.remove(name);
      int count;
      synchronized (parts) {
        count = restarts.merge(name, 1, Integer::sum);
      }
      if (count > MAX_RESTARTS) {
        throw new IllegalStateException(
            name + " crashed " + MAX_RESTARTS + " times; last lines of its log:\n" + part.tail(20));
      }
      out.printf(
          "sandbox: %s ended (exit code %d); restarting it (restart %d)%n",
          name, part.exitCode(), count);
      long readyBefore = readyLines(part.log());
      part.start();
      if (name.equals("kafka")) {
        // Not ready in time: the next round restarts it again, up to the limit.
        awaitKafka(part, readyBefore, Duration.ofSeconds(90));
      }
    }
  }

  private long statusLine(long nextLineNanos) {
    long now = System.nanoTime();
    if (now < nextLineNanos) {
      return nextLineNanos;
    }
    JsonNode status = collector.poll();
    out.println(
        "[" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "] " + StatusCollector.line(status));
    return now + settings.statusEvery().toNanos();
  }

  /** Lets the Flink job and the chain catch up with everything generated, then stops them. */
  private void drain() throws Exception {
    out.println("sandbox: draining: waiting for the Flink job and the chain to catch up");
    long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
    long nextLine = 0;
    try (KafkaProgress kafka = new KafkaProgress(bootstrap())) {
      while (!streamCaughtUp(kafka)) {
        superviseParts();
        checkDeadline(deadline, "the Flink job to read every record");
        nextLine = statusLine(nextLine);
        Thread.sleep(1000);
      }
      FlinkRest flink = new FlinkRest("http://127.0.0.1:" + settings.flinkUiPort());
      String jobId = flink.job().orElseThrow(() -> new IllegalStateException("no Flink job")).id();
      out.println("sandbox: stopping the Flink job with a drain (closes every open session)");
      retired.add("stream-job");
      ChildProcess streamJob = parts.get("stream-job");
      try {
        String savepoint =
            flink.stopWithDrain(
                jobId,
                data("stream-job", "checkpoints").toAbsolutePath().toUri().toString(),
                Duration.ofMinutes(3));
        out.println("sandbox: Flink job drained; savepoint " + savepoint);
      } catch (IOException e) {
        // The job's process ends as soon as the drained job finishes, which can be before the
        // savepoint's status is asked for: its exit code then tells whether it finished cleanly.
        if (!streamJob.await(Duration.ofSeconds(60)) || streamJob.exitCode() != 0) {
          throw new IllegalStateException(
              "the Flink job did not stop cleanly: " + e.getMessage() + "\n" + streamJob.tail(10),
              e);
        }
        out.println("sandbox: Flink job drained: " + lastLines(streamJob, 1));
      }
      streamJob.await(Duration.ofSeconds(60));
      LakeMetadata lake = new LakeMetadata(data("lake"), "keystone");
      while (!batchCaughtUp(kafka, lake)) {
        superviseParts();
        checkDeadline(deadline, "the chain to bring gold up to date");
        nextLine = statusLine(nextLine);
        Thread.sleep(1000);
      }
      retired.add("chain");
      stopPart("chain", Duration.ofSeconds(60));
      collector.poll();
      out.println(
          "["
              + Instant.now().truncatedTo(ChronoUnit.SECONDS)
              + "] "
              + StatusCollector.line(collector.latest()));
    }
  }

  private boolean streamCaughtUp(KafkaProgress kafka) {
    try {
      Map<Integer, Long> end = kafka.endOffsets("viewing-events");
      return !end.isEmpty()
          && KafkaProgress.lag(end, kafka.committed("keystone-stream-job", "viewing-events")) == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean batchCaughtUp(KafkaProgress kafka, LakeMetadata lake) {
    try {
      Map<Integer, Long> end = kafka.endOffsets("viewing-events");
      return !end.isEmpty() && end.equals(lake.bronzeOffsets()) && lake.goldCaughtUp();
    } catch (Exception e) {
      return false;
    }
  }

  private void checkDeadline(long deadline, String what) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(
          "gave up waiting for "
              + what
              + " after "
              + settings.drainTimeout().toSeconds()
              + "s; see the logs in "
              + data("logs"));
    }
  }

  private int verify() throws Exception {
    out.println("sandbox: verifying every stage against the ground truth");
    ChildProcess verifier =
        new ChildProcess(
                "verify",
                jars.find(Jars.VERIFY),
                List.of("-Xmx2g"),
                List.of(
                    "--generator-dir", data("generator").toString(),
                    "--bootstrap-server", bootstrap(),
                    "--warehouse", data("lake").toString(),
                    "--report", data("verify", "report.json").toString(),
                    "--ui-port", "0",
                    "--wait", "2m"),
                data("logs", "verify.log"))
            .start();
    synchronized (parts) {
      parts.put("verify", verifier);
    }
    verifier.await(Duration.ofMinutes(10));
    Path report = data("verify", "report.txt");
    Files.createDirectories(report.getParent());
    List<String> lines = Files.readAllLines(verifier.log());
    // The report is what the verifier printed after its last progress line.
    int from = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("verification at ")) {
        from = i;
      }
    }
    String text = String.join("\n", lines.subList(from, lines.size()));
    Files.writeString(report, text + "\n");
    out.println();
    out.println(text);
    Integer code = verifier.exitCode();
    return code == null ? 1 : code;
  }

  private void stopPart(String name, Duration grace) {
    ChildProcess part;
    synchronized (parts) {
      part = parts.get(name);
    }
    if (part != null && part.isAlive()) {
      try {
        part.stop(grace);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void killAll() {
    List<ChildProcess> all;
    synchronized (parts) {
      all = new ArrayList<>(parts.values());
    }
    for (ChildProcess part : all) {
      try {
        part.stop(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static void awaitFile(Path file, ChildProcess writer, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(file)) {
      if (!writer.isAlive() && !Files.exists(file)) {
        throw new IllegalStateException(
            writer.name() + " ended before writing " + file + ":\n" + writer.tail(10));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(file + " did not appear within " + timeout);
      }
      Thread.sleep(200);
    }
  }
}
