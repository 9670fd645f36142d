package org.keystonesandbox.labs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.bronze.BronzeJob;
import org.keystonesandbox.batch.gold.GoldJob;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.silver.SilverJob;
import org.keystonesandbox.batch.sql.SqlConsole;
import org.keystonesandbox.cli.Jars;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.ViewingEventJson;
import org.keystonesandbox.events.catalog.CatalogFiles;
import org.keystonesandbox.events.catalog.Title;
import org.keystonesandbox.events.truth.GroundTruthReader;
import org.keystonesandbox.ingest.GeneratorCommand;
import org.keystonesandbox.ingest.GeneratorRun;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceGold;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.verify.KafkaContents;
import org.keystonesandbox.verify.LakeContents;
import org.keystonesandbox.verify.StreamOutputs;

/**
 * One lab's run: its topic, namespace and folder on the shared {@link LabEnvironment}, the
 * pipeline's own jobs to run on them, the ground truth of everything it sent, and the report.
 */
public final class LabRun {
  /** The session gap every lab runs the pipeline with: the design's default. */
  public static final Duration GAP = SilverJob.Settings.DEFAULTS.gap();

  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  private static final List<String> STREAM_JOB_JVM = List.of("-Xmx512m");

  private static final Duration STREAM_JOB_TIMEOUT = Duration.ofMinutes(3);

  private final LabEnvironment env;
  private final String name;
  private final String bootstrapServers;
  private final LabReport report;
  private final LakeSettings lake;
  private final List<ViewingEvent> truth = new ArrayList<>();
  private Path titles;
  private int generatorRuns;

  LabRun(LabEnvironment env, String name, LabReport report) {
    this(env, name, report, env.bootstrapServers());
  }

  private LabRun(LabEnvironment env, String name, LabReport report, String bootstrapServers) {
    this.env = env;
    this.name = name;
    this.bootstrapServers = bootstrapServers;
    this.report = report;
    LakeSettings base = LakeSettings.local(env.warehouse());
    this.lake =
        new LakeSettings(
            base.catalogType(), env.warehouse(), null, namespace(name), base.writeMode());
  }

  /** The UTC day of an event's time, as the pipeline's definitions count days. */
  public static LocalDate day(ViewingEvent event) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(event.eventTs()), ZoneOffset.UTC);
  }

  /**
   * A late batch from devices that were offline: copies of up to {@code count} heartbeats of {@code
   * day} (same playback, one millisecond later, new ids derived from the originals'), sent {@code
   * lateBy} after they happened.
   */
  public static List<ViewingEvent> lateHeartbeats(
      List<ViewingEvent> events, LocalDate day, int count, Duration lateBy) {
    List<ViewingEvent> late = new ArrayList<>();
    for (ViewingEvent e : events) {
      if (late.size() < count && day(e).equals(day) && e.eventType() == EventType.HEARTBEAT) {
        long ts = e.eventTs() + 1;
        late.add(
            new ViewingEvent(
                UUID.nameUUIDFromBytes(("late-" + e.eventId()).getBytes(StandardCharsets.UTF_8))
                    .toString(),
                e.userId(),
                e.playbackId(),
                e.titleId(),
                e.device(),
                e.country(),
                EventType.HEARTBEAT,
                e.positionMs(),
                e.playMs(),
                ts,
                ts + lateBy.toMillis()));
      }
    }
    return late;
  }

  /** {@code events_mor} of {@code lake.lab_cow_vs_mor.events_mor}. */
  public static String shortName(String table) {
    return table.substring(table.lastIndexOf('.') + 1);
  }

  /** {@code time-travel} keeps its tables in namespace {@code lab_time_travel}. */
  static String namespace(String labName) {
    return "lab_" + labName.replace('-', '_');
  }

  public LabReport report() {
    return report;
  }

  public SparkSession spark() {
    return env.spark();
  }

  public LakeSettings lake() {
    return lake;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * A part of this lab run as a lab of its own, on the broker at {@code bootstrapServers} (the
   * shared one, or one the lab runs itself): topic, namespace and folder named {@code
   * <name>-<part>}, a ground truth of its own; the report is this run's.
   */
  LabRun part(String part, String bootstrapServers) {
    return new LabRun(env, name + "-" + part, report, bootstrapServers);
  }

  /** The full name of one of the pipeline's tables in this lab's namespace. */
  public String table(String name) {
    return lake.table(name);
  }

  public String topic() {
    return "lab-" + name;
  }

  public Path folder() {
    return env.folder().resolve(name);
  }

  /** What to type to look at this lab's tables in the console. */
  public String consoleCommand() {
    return "java -jar sandbox/target/keystone-sandbox.jar sql --data-dir "
        + env.folder()
        + " --namespace "
        + lake.namespace();
  }

  /**
   * Runs the generator into the lab's topic, unthrottled, its files in a folder of its own; every
   * run after the first shares the first's title catalog.
   *
   * @param flags the generator's flags for this batch (count, seed, start, faults)
   */
  public RunSummary produce(String... flags) throws IOException {
    return produce(true, flags);
  }

  /**
   * Runs the generator as {@link #produce(String...)} does, at its {@code --rate} in wall time
   * unless {@code unthrottled}: a stream a job reads live, as it arrives.
   */
  public RunSummary produce(boolean unthrottled, String... flags) throws IOException {
    Path out = folder().resolve("run-" + (++generatorRuns));
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap-server",
                bootstrapServers,
                "--topic",
                topic(),
                "--out-dir",
                out.toString(),
                "--progress-interval",
                "1h",
                "--catalog-seed",
                "42"));
    if (unthrottled) {
      args.add("--unthrottled");
    }
    Collections.addAll(args, flags);
    RunSummary summary =
        new GeneratorRun(
                GeneratorCommand.parseSettings(args.toArray(String[]::new)),
                new PrintStream(PrintStream.nullOutputStream()))
            .run();
    if (!summary.complete()) {
      throw new IllegalStateException(
          "the generator did not deliver every record to " + topic() + ": " + summary.endedBy());
    }
    try (GroundTruthReader reader = GroundTruthReader.open(summary.truthFile())) {
      reader.forEach(truth::add);
    }
    if (titles == null) {
      titles = out.resolve(CatalogFiles.TITLES_FILE);
    }
    return summary;
  }

  /** Sends events the lab made itself (a late batch, corrections) and adds them to the truth. */
  public void send(List<ViewingEvent> events) throws InterruptedException, ExecutionException {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    ViewingEventJson.Encoder encoder = ViewingEventJson.newEncoder();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (ViewingEvent event : events) {
        sent.add(
            producer.send(new ProducerRecord<>(topic(), event.userId(), encoder.encode(event))));
      }
      for (Future<RecordMetadata> record : sent) {
        record.get(); // a record Kafka did not take must not count as sent
      }
    }
    truth.addAll(events);
  }

  /** The first line of the error {@code query} fails with, or empty if it succeeds. */
  public String failureOf(String query) {
    try {
      spark().sql(query).collectAsList();
      return "";
    } catch (Exception e) { // Spark throws Iceberg's and its own checked exceptions undeclared
      return SqlConsole.oneLine(e);
    }
  }

  /** How many records of the lab's topic carry {@code key}, read from its start to its end. */
  public long recordsWithKey(String key) {
    byte[] wanted = key.getBytes(StandardCharsets.UTF_8);
    return readCommitted(topic()).stream().filter(r -> Arrays.equals(wanted, r.key())).count();
  }

  /** Every record of {@code topic} a {@code read_committed} consumer sees, from start to end. */
  public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
    try (KafkaContents kafka = new KafkaContents(bootstrapServers, KAFKA_TIMEOUT)) {
      return kafka.readCommitted(topic);
    }
  }

  /**
   * Every record of {@code topic} a {@code read_uncommitted} consumer sees, from start to end:
   * records of aborted and of still open transactions too.
   */
  public List<ConsumerRecord<byte[], byte[]>> readUncommitted(String topic) {
    try (KafkaContents kafka = new KafkaContents(bootstrapServers, KAFKA_TIMEOUT)) {
      return kafka.readUncommitted(topic);
    }
  }

  /** The title catalog the lab's generator runs share. */
  public Path titlesFile() {
    if (titles == null) {
      throw new IllegalStateException("produce events first");
    }
    return titles;
  }

  /**
   * Sends records that are not valid events (a client's bug, a wrong type) into the lab's topic;
   * they are no part of the truth.
   */
  public void sendMalformed(String key, List<String> values)
      throws InterruptedException, ExecutionException {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (String value : values) {
        sent.add(
            producer.send(
                new ProducerRecord<>(topic(), key, value.getBytes(StandardCharsets.UTF_8))));
      }
      for (Future<RecordMetadata> record : sent) {
        record.get();
      }
    }
  }

  /**
   * Sends one event a day after {@code lastEventTime} in every partition of the lab's topic: the
   * watermark of an unbounded job then passes every session before it, so all of them close. The
   * events join the truth; their users, returned, each have a session of their own that a lab
   * leaves out of its comparisons ({@link #sessionsWithout}).
   */
  public Set<String> closeEverySession(Instant lastEventTime)
      throws InterruptedException, ExecutionException {
    List<ViewingEvent> flush = new ArrayList<>();
    int partitions = partitions();
    long flushTs = lastEventTime.plus(Duration.ofDays(1)).toEpochMilli();
    for (int p = 0, user = 0; p < partitions; user++) {
      String userId = "flush-" + user;
      if (partitionOf(userId, partitions) == p) {
        flush.add(
            new ViewingEvent(
                "flush-" + p,
                userId,
                "flush-" + p,
                "t00001",
                "tv",
                "US",
                EventType.PLAY_START,
                0,
                0,
                flushTs,
                flushTs));
        p++;
      }
    }
    send(flush);
    return flush.stream().map(ViewingEvent::userId).collect(Collectors.toUnmodifiableSet());
  }

  /** {@code sessions} except those of {@code users}. */
  public static List<ReferenceSession> sessionsWithout(
      Set<String> users, List<ReferenceSession> sessions) {
    return sessions.stream().filter(s -> !users.contains(s.userId())).toList();
  }

  /**
   * Waits until a read_committed consumer of {@code sessionsTopic} sees as many sessions (apart
   * from those of {@code except}) as the oracle has, {@code job} ends or {@code timeout} passes;
   * returns the sessions seen last.
   */
  public List<ReferenceSession> awaitCommittedSessions(
      String sessionsTopic, Set<String> except, JarProcess.Running job, Duration timeout)
      throws InterruptedException {
    int expected = sessionsWithout(except, ReferenceSessions.of(truth, GAP)).size();
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ReferenceSession> sessions = List.of();
    while (System.nanoTime() < deadline && job.alive()) {
      sessions = sessionsWithout(except, StreamOutputs.sessions(readCommitted(sessionsTopic)));
      if (sessions.size() >= expected) {
        break;
      }
      Thread.sleep(500);
    }
    return sessions;
  }

  /** The records of the lab's topic: its end offsets, since nothing is ever deleted from it. */
  private long recordsInTopic() {
    return endOffsets().values().stream().mapToLong(Long::longValue).sum();
  }

  /** The partition Kafka's default partitioner gives a key. */
  public static int partitionOf(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** The number of partitions of the lab's topic. */
  public int partitions() {
    return endOffsets().size();
  }

  /** A record's header as text, empty when it has none of that name. */
  public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
  }

  /** The topics one run of the stream job wrote, and the totals it printed at its end. */
  public record StreamJobOutputs(
      String sessionsTopic, String lateTopic, String deadLetterTopic, String totals) {}

  /**
   * Runs the pipeline's stream job ({@code keystone-stream-job.jar}, a child process on its own
   * MiniCluster) over the lab's topic from its start to its end as of now, into output topics of
   * its own named after {@code label}, from fresh state.
   *
   * @param flags more of the job's flags (its allowed lateness, dedup horizon...)
   */
  public StreamJobOutputs streamJob(String label, String... flags)
      throws IOException, InterruptedException {
    List<String> printed =
        JarProcess.run(
            "the stream job",
            streamJobJar(),
            STREAM_JOB_JVM,
            streamJobArgs(label, true, flags),
            streamJobFolder(label).resolve("output.txt"),
            STREAM_JOB_TIMEOUT);
    return streamJobOutputs(label, printed);
  }

  /** One run of the stream job, and the size of the state it held at the end of the stream. */
  public record StreamJobState(StreamJobOutputs outputs, long stateBytes) {}

  /**
   * Runs the stream job as {@link #streamJob} does and measures its state, which the end of a
   * bounded input would close and purge at once: the job runs unbounded; once its source has read
   * every record of the topic, the full size of a checkpoint triggered after that, as Flink's web
   * UI shows it, is the state it holds at the end of the stream. A stop with drain then ends its
   * input as a bounded run's end does, and the sinks commit.
   *
   * @param flags as {@link #streamJob}'s, but no {@code --checkpoint-interval}
   */
  public StreamJobState streamJobWithStateSize(String label, String... flags)
      throws IOException, InterruptedException {
    FlinkJobRest flink = new FlinkJobRest();
    List<String> args = new ArrayList<>(List.of(flags));
    args.addAll(List.of("--checkpoint-interval", "500ms"));
    args.addAll(flink.flags());
    JarProcess.Running job = startStreamJob(label, true, "output.txt", args.toArray(String[]::new));
    try {
      String jobId = flink.awaitRunning(job, STREAM_JOB_TIMEOUT);
      flink.awaitRecordsRead(jobId, recordsInTopic(), job, STREAM_JOB_TIMEOUT);
      long readToEnd = System.currentTimeMillis();
      long stateBytes =
          flink.awaitCheckpointTriggeredAfter(jobId, readToEnd, STREAM_JOB_TIMEOUT).stateBytes();
      // The source commits its offsets to the group after each checkpoint, asynchronously; a
      // stop right after a checkpoint can end it before the commit lands, and the verifier then
      // finds the job behind. The next checkpoints commit them.
      awaitGroupCaughtUp(streamJobGroup(label), job);
      flink.stopWithSavepoint(
          jobId, streamJobFolder(label).resolve("savepoints"), true, job, STREAM_JOB_TIMEOUT);
      List<String> printed =
          JarProcess.awaitEnd(
              "the stream job",
              job,
              streamJobFolder(label).resolve("output.txt"),
              STREAM_JOB_TIMEOUT);
      return new StreamJobState(streamJobOutputs(label, printed), stateBytes);
    } finally {
      job.kill();
    }
  }

  /** A stream job running live on the lab's topic, its REST API open, between the lab's steps. */
  public final class LiveStreamJob implements AutoCloseable {
    private final String label;
    private final FlinkJobRest flink;
    private final JarProcess.Running process;
    private final String jobId;

    private LiveStreamJob(
        String label, FlinkJobRest flink, JarProcess.Running process, String jobId) {
      this.label = label;
      this.flink = flink;
      this.process = process;
      this.jobId = jobId;
    }

    /**
     * Waits until the job has read every record of the topic as of now and its watermark has held
     * still for a second; returns that watermark (epoch ms), as Flink's REST API reports it.
     */
    public long watermarkOnceCaughtUp() throws IOException, InterruptedException {
      flink.awaitRecordsRead(jobId, recordsInTopic(), process, STREAM_JOB_TIMEOUT);
      long deadline = System.nanoTime() + STREAM_JOB_TIMEOUT.toNanos();
      long previous = flink.watermark(jobId);
      while (System.nanoTime() < deadline) {
        Thread.sleep(1_000);
        long now = flink.watermark(jobId);
        if (now == previous && now != Long.MIN_VALUE) {
          return now;
        }
        previous = now;
      }
      throw new IllegalStateException("the stream job's watermark did not settle");
    }

    /** Stops the job with a drain (every open session closes and commits); its outputs. */
    public StreamJobOutputs finish() throws IOException, InterruptedException {
      try {
        flink.stopWithSavepoint(
            jobId, streamJobFolder(label).resolve("savepoints"), true, process, STREAM_JOB_TIMEOUT);
        return streamJobOutputs(
            label,
            JarProcess.awaitEnd(
                "the stream job",
                process,
                streamJobFolder(label).resolve("output.txt"),
                STREAM_JOB_TIMEOUT));
      } finally {
        process.kill();
      }
    }

    /** Kills the job if it still runs (a lab that failed before {@link #finish}). */
    @Override
    public void close() throws InterruptedException {
      process.kill();
    }
  }

  /**
   * Starts the stream job of {@code label} as {@link #streamJob} runs it, but live (it reads on
   * until {@link LiveStreamJob#finish}), from fresh state, and waits until it runs.
   *
   * @param flags as {@link #streamJob}'s
   */
  public LiveStreamJob startLiveStreamJob(String label, String... flags)
      throws IOException, InterruptedException {
    FlinkJobRest flink = new FlinkJobRest();
    List<String> args = new ArrayList<>(List.of(flags));
    args.addAll(flink.flags());
    JarProcess.Running job = startStreamJob(label, true, "output.txt", args.toArray(String[]::new));
    try {
      return new LiveStreamJob(label, flink, job, flink.awaitRunning(job, STREAM_JOB_TIMEOUT));
    } catch (IOException | InterruptedException | RuntimeException e) {
      job.kill();
      throw e;
    }
  }

  /** Waits until {@code group} has committed offsets up to the end of the lab's topic. */
  private void awaitGroupCaughtUp(String group, JarProcess.Running job)
      throws InterruptedException {
    long deadline = System.nanoTime() + STREAM_JOB_TIMEOUT.toNanos();
    while (lag(group) > 0) {
      if (!job.alive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the stream job's group " + group + " did not commit the whole topic");
      }
      Thread.sleep(200);
    }
  }

  private StreamJobOutputs streamJobOutputs(String label, List<String> printed) {
    String totals =
        printed.stream()
            .filter(line -> line.startsWith("stream-job finished:"))
            .reduce((first, second) -> second)
            .orElseThrow(() -> new IllegalStateException("the stream job printed no totals"));
    StreamJobOutputs topics = streamJobTopics(label);
    return new StreamJobOutputs(
        topics.sessionsTopic(), topics.lateTopic(), topics.deadLetterTopic(), totals);
  }

  /**
   * Starts the stream job of {@code label} unbounded (it runs until stopped) and returns without
   * waiting; {@code fresh}: from fresh state, or resuming from the newest checkpoint its earlier
   * run left, as a restarted job does. Unbounded because a bounded Kafka source restored from a
   * checkpoint never finishes (a known bug of Flink's Kafka connector).
   *
   * @param output the file its output goes to, in {@link #streamJobFolder}
   */
  JarProcess.Running startStreamJob(String label, boolean fresh, String output, String... flags)
      throws IOException {
    List<String> args = streamJobArgs(label, fresh, flags);
    args.remove("--bounded");
    return JarProcess.start(
        "the stream job",
        streamJobJar(),
        STREAM_JOB_JVM,
        args,
        streamJobFolder(label).resolve(output));
  }

  /** The output topics of the stream job of {@code label}. */
  public StreamJobOutputs streamJobTopics(String label) {
    String prefix = topic() + "-" + label;
    return new StreamJobOutputs(prefix + "-sessions", prefix + "-late", prefix + "-dlq", "");
  }

  /** The folder holding the checkpoints and output of the stream job of {@code label}. */
  public Path streamJobFolder(String label) {
    return folder().resolve("stream-job-" + label);
  }

  private static Path streamJobJar() {
    return new Jars(Jars.homeOf(LabCommand.class)).find(Jars.STREAM_JOB);
  }

  /** The consumer group (and transactional id prefix) of the stream job of {@code label}. */
  String streamJobGroup(String label) {
    return topic() + "-" + label;
  }

  /** The first offset the lab's topic still holds, by partition: above 0 once retention deleted. */
  public Map<Integer, Long> startOffsets() {
    try (KafkaContents kafka = new KafkaContents(bootstrapServers(), KAFKA_TIMEOUT)) {
      return kafka.startOffsets(topic());
    }
  }

  /** The next offset of the lab's topic, by partition. */
  public Map<Integer, Long> endOffsets() {
    try (KafkaContents kafka = new KafkaContents(bootstrapServers(), KAFKA_TIMEOUT)) {
      return kafka.endOffsets(topic());
    }
  }

  /** Sets topic-level configuration of the lab's topic ({@code retention.bytes}, ...). */
  public void configureTopic(Map<String, String> config)
      throws InterruptedException, ExecutionException {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      List<AlterConfigOp> changes = new ArrayList<>();
      config.forEach(
          (key, value) ->
              changes.add(
                  new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET)));
      admin
          .incrementalAlterConfigs(
              Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic()), changes))
          .all()
          .get();
    }
  }

  /** What the verifier printed about the stream job of a lab, and its exit code. */
  public record Verdict(int exitCode, List<String> lines) {}

  /**
   * Runs the pipeline's verifier ({@code keystone-verify.jar}, a child process) on the lab's
   * generator runs, its topic and the outputs of the stream job of {@code label}, the batch layer
   * left out.
   */
  public Verdict verifyStream(String label) throws IOException, InterruptedException {
    Path output = folder().resolve("verify-" + label + ".txt");
    JarProcess.Running verifier =
        JarProcess.start(
            "the verifier",
            new Jars(Jars.homeOf(LabCommand.class)).find(Jars.VERIFY),
            List.of("-Xmx256m"),
            verifyArgs(label),
            output);
    try {
      if (!verifier.process().waitFor(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the verifier did not end within 2 minutes: " + output);
      }
      return new Verdict(verifier.process().exitValue(), Files.readAllLines(output));
    } finally {
      verifier.kill();
    }
  }

  /**
   * Where a consumer group is on the lab's topic, over all partitions.
   *
   * @param read the offsets it committed, summed
   * @param lag the records beyond them
   */
  public record GroupProgress(long read, long lag) {}

  /** One reading of {@code group}'s committed offsets against the topic's end. */
  public GroupProgress progress(String group) {
    try (KafkaContents kafka = new KafkaContents(bootstrapServers(), KAFKA_TIMEOUT)) {
      Map<Integer, Long> committed = kafka.committedOffsets(group, topic());
      long read = 0;
      long lag = 0;
      for (Map.Entry<Integer, Long> end : kafka.endOffsets(topic()).entrySet()) {
        long at = committed.getOrDefault(end.getKey(), 0L);
        read += at;
        lag += end.getValue() - at;
      }
      return new GroupProgress(read, lag);
    }
  }

  /** Records of the lab's topic beyond the offsets {@code group} committed, over all partitions. */
  public long lag(String group) {
    return progress(group).lag();
  }

  /** The broker and the topics of the stream job of {@code label}, as its and verify's flags. */
  private List<String> topicArgs(String label) {
    StreamJobOutputs topics = streamJobTopics(label);
    return List.of(
        "--bootstrap-server",
        bootstrapServers,
        "--events-topic",
        topic(),
        "--sessions-topic",
        topics.sessionsTopic(),
        "--late-topic",
        topics.lateTopic(),
        "--dlq-topic",
        topics.deadLetterTopic());
  }

  private List<String> verifyArgs(String label) {
    List<String> args = new ArrayList<>(topicArgs(label));
    args.addAll(
        List.of(
            "--generator-dir",
            folder().toString(),
            "--stream-group",
            streamJobGroup(label),
            "--no-lake",
            "--report",
            folder().resolve("verify-" + label + ".json").toString()));
    return args;
  }

  private List<String> streamJobArgs(String label, boolean fresh, String... flags) {
    String prefix = streamJobGroup(label);
    List<String> args = new ArrayList<>(topicArgs(label));
    args.addAll(
        List.of(
            "--group-id",
            prefix,
            "--transactional-id-prefix",
            prefix,
            "--checkpoint-dir",
            streamJobFolder(label).resolve("checkpoints").toString(),
            // Flink's temporary files in the lab's folder: a job the lab kills -9 leaves them
            // there, and the next lab empties the folder, instead of in /tmp for good.
            "--flink-conf",
            "io.tmp.dirs=" + streamJobFolder(label).resolve("tmp").toAbsolutePath(),
            "--bounded",
            "--web-ui-port",
            "0",
            "--progress-interval",
            "1h",
            // A replay reads days of event time in a second: with Flink's periodic watermarks
            // (every 200 ms) event time would hardly move while it reads. A watermark after
            // every event, on one task, makes each record meet the watermark of the records
            // before it, as it would live, and the same one in every run of one partition.
            "--watermark-per-event",
            "--parallelism",
            "1"));
    if (fresh) {
      args.add("--fresh");
    }
    Collections.addAll(args, flags);
    return args;
  }

  /** One run of the batch chain: bronze, silver, gold, as the chain runs them. */
  public void chain() throws Exception {
    if (titles == null) {
      throw new IllegalStateException("produce events before running the chain");
    }
    new BronzeJob(spark(), lake).run(new BronzeJob.Settings(bootstrapServers, topic()));
    new SilverJob(spark(), lake).run(SilverJob.Settings.DEFAULTS);
    new GoldJob(spark(), lake).run(new GoldJob.Settings(titles));
  }

  /** Every unique event the lab sent, as the generator's ground truth and the lab's own. */
  public List<ViewingEvent> truth() {
    return List.copyOf(truth);
  }

  public Map<String, Long> runtimes() throws IOException {
    return CatalogFiles.readTitles(titles).stream()
        .collect(Collectors.toMap(Title::titleId, Title::runtimeMs));
  }

  /** The reference gold figures of {@code events}, computed by the oracle. */
  public ReferenceGold referenceGold(List<ViewingEvent> events) throws IOException {
    return ReferenceGold.of(events, runtimes(), GAP);
  }

  /** The verifier's reader of this lab's tables. */
  public LakeContents contents() {
    return new LakeContents(spark(), lake);
  }

  /**
   * Checks silver's sessions and both gold tables against the oracle over everything sent, exactly,
   * as the verifier does.
   */
  public boolean checkPipelineExact(String when) throws IOException {
    LakeContents contents = contents();
    ReferenceGold expected = referenceGold(truth);
    List<String> differences = new ArrayList<>();
    if (!contents.silverSessions().equals(ReferenceSessions.of(truth, GAP))) {
      differences.add("silver sessions differ");
    }
    if (!contents.goldTitleCountryDays().equals(expected.titleCountryDays())) {
      differences.add("gold title x country differs");
    }
    if (!contents.goldUserDays().equals(expected.userDays())) {
      differences.add("gold user days differ");
    }
    int goldRows = expected.titleCountryDays().size() + expected.userDays().size();
    return report.check(
        "silver sessions and gold equal the oracle " + when,
        differences.isEmpty(),
        differences.isEmpty() ? goldRows + " gold rows equal" : String.join(", ", differences));
  }
}
