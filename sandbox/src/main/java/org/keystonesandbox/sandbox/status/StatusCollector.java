package org.keystonesandbox.sandbox.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.keystonesandbox.events.names.PipelineNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers every stage's progress into one JSON document, the status view's and the status line's
 * source: Kafka's offsets, Flink's counters, the lake's snapshots, the chain's run log, the
 * generator's summaries and the last verification report. Keeps a history for the charts.
 */
public final class StatusCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusCollector.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int HISTORY = 720;

  /** Where each stage's progress can be read. */
  public record Sources(
      String mode,
      String bootstrap,
      String eventsTopic,
      String sessionsTopic,
      String lateTopic,
      String dlqTopic,
      String streamGroup,
      String flinkUrl,
      Path warehouse,
      String namespace,
      Path runLog,
      Path verificationReport,
      Path generatorDir,
      Map<String, String> links) {}

  private final Sources sources;
  private final KafkaProgress kafka;
  private final FlinkRest flink;
  private final LakeMetadata lake;
  private final Deque<ObjectNode> history = new ArrayDeque<>();
  private volatile ObjectNode latest = JSON.createObjectNode();
  private FlinkRest.JobState lastJob;
  private Instant lastJobAt;
  private volatile Map<String, Long> finalCounters;
  private volatile SparkRest sparkCluster;

  public StatusCollector(Sources sources) {
    this.sources = sources;
    this.kafka = new KafkaProgress(sources.bootstrap());
    this.flink = new FlinkRest(sources.flinkUrl());
    this.lake = new LakeMetadata(sources.warehouse(), sources.namespace());
  }

  /** The newest status, with its history. */
  public synchronized ObjectNode latest() {
    ObjectNode copy = latest.deepCopy();
    ArrayNode points = copy.putArray("history");
    history.forEach(points::add);
    return copy;
  }

  /**
   * The stream job ended with a drain and printed these totals: its REST API is gone, so the card
   * shows them instead of the last polled figures, which stopped before the drain closed the open
   * sessions.
   */
  public void streamDrained(Map<String, Long> totals) {
    finalCounters = Map.copyOf(totals);
  }

  /** Also shows a Spark standalone cluster: its workers and the chain's executors. */
  public StatusCollector watchSparkCluster(SparkRest spark) {
    this.sparkCluster = spark;
    return this;
  }

  /** Reads every source once; a source that does not answer is marked, never fatal. */
  public ObjectNode poll() {
    ObjectNode status = JSON.createObjectNode();
    status.put("mode", sources.mode());
    status.put("now", Instant.now().toString());
    ObjectNode links = status.putObject("links");
    sources.links().forEach(links::put);

    long produced = 0;
    long streamLag = -1;
    long batchLag = -1;
    ObjectNode kafkaNode = status.putObject("kafka");
    ObjectNode streamNode = status.putObject("stream");
    ObjectNode batchNode = status.putObject("batch");
    Map<Integer, Long> eventsEnd = Map.of();
    try {
      eventsEnd = kafka.endOffsets(sources.eventsTopic());
      produced = KafkaProgress.total(eventsEnd);
      ObjectNode topics = kafkaNode.putObject("topics");
      for (String topic :
          List.of(
              sources.eventsTopic(),
              sources.sessionsTopic(),
              sources.lateTopic(),
              sources.dlqTopic())) {
        topics.put(topic, KafkaProgress.total(kafka.endOffsets(topic)));
      }
      streamLag =
          KafkaProgress.lag(
              eventsEnd, kafka.committed(sources.streamGroup(), sources.eventsTopic()));
      kafkaNode.put("reachable", true);
    } catch (Exception e) {
      kafkaNode.put("reachable", false);
      kafkaNode.put("error", String.valueOf(e.getMessage()));
    }
    streamNode.put("lag", streamLag);

    generator(status.putObject("generator"), produced);
    stream(streamNode);
    clusters(status.putObject("clusters"));

    Map<Integer, Long> bronzeRead = lake.bronzeOffsets();
    if (!eventsEnd.isEmpty()) {
      batchLag = KafkaProgress.lag(eventsEnd, bronzeRead);
    }
    batchNode.put("lag", batchLag);
    batchNode.put("bronzeRead", KafkaProgress.total(bronzeRead));
    batchNode.put("caughtUp", batchLag == 0 && lake.goldCaughtUp());
    runLog(batchNode, sources.runLog());

    ArrayNode tables = status.putArray("tables");
    long goldRows = 0;
    for (LakeMetadata.TableState t : lake.tables()) {
      ObjectNode row = tables.addObject();
      row.put("name", t.name());
      row.put("snapshotId", t.snapshotId());
      row.put("committedAt", t.committedAt().toString());
      row.put("operation", t.operation());
      row.put("rows", t.rows());
      row.put("snapshots", t.snapshots());
      if (t.name().equals(PipelineNames.GOLD_TITLE_COUNTRY_DAILY)) {
        goldRows = t.rows();
      }
    }
    status.set("verification", verification());

    ObjectNode point = JSON.createObjectNode();
    point.put("t", System.currentTimeMillis());
    point.put("produced", produced);
    point.put("streamLag", streamLag);
    point.put("batchLag", batchLag);
    JsonNode counters = streamNode.path("counters");
    point.put("sessions", counters.path("sessionsEmitted").asLong());
    point.put("late", counters.path("lateEvents").asLong());
    point.put("duplicates", counters.path("duplicatesDropped").asLong());
    point.put("goldRows", goldRows);
    synchronized (this) {
      history.addLast(point);
      while (history.size() > HISTORY) {
        history.removeFirst();
      }
      latest = status;
    }
    return status;
  }

  private void generator(ObjectNode node, long produced) {
    node.put("records", produced);
    int runs = 0;
    int finished = 0;
    long unique = 0;
    long duplicates = 0;
    long late = 0;
    long malformed = 0;
    for (Path dir : runDirs()) {
      runs++;
      Path summary = dir.resolve("summary.json");
      if (Files.exists(summary)) {
        try {
          JsonNode s = JSON.readTree(summary.toFile());
          finished++;
          unique += s.path("unique_events").asLong();
          duplicates += s.path("duplicates").asLong();
          late += s.path("late_events").asLong();
          malformed += s.path("malformed").asLong();
        } catch (IOException e) {
          LOG.debug(
              "{} is being written; its run counts as running until the next poll", summary, e);
        }
      }
    }
    node.put("runs", runs);
    node.put("state", runs == 0 ? "not started" : finished == runs ? "finished" : "running");
    if (finished > 0) {
      ObjectNode summary = node.putObject("summary");
      summary.put("uniqueEvents", unique);
      summary.put("duplicates", duplicates);
      summary.put("lateEvents", late);
      summary.put("malformed", malformed);
    }
  }

  private List<Path> runDirs() {
    Path dir = sources.generatorDir();
    if (Files.exists(dir.resolve("titles.csv"))) {
      return List.of(dir);
    }
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(dir)) {
      return children.filter(d -> Files.exists(d.resolve("titles.csv"))).sorted().toList();
    } catch (IOException e) {
      LOG.debug("cannot list {} now; no generator run counted until the next poll", dir, e);
      return List.of();
    }
  }

  /**
   * The job as Flink reports it; once Flink no longer answers, the job's totals if it drained, else
   * the counters last seen and when (it is restarting, or it stopped).
   */
  private void stream(ObjectNode node) {
    Optional<FlinkRest.JobState> job = flink.job();
    node.put("reachable", job.isPresent());
    Map<String, Long> drained = finalCounters;
    if (job.isPresent()) {
      lastJob = job.get();
      lastJobAt = Instant.now();
    } else if (drained != null) {
      node.put("ended", "drained");
      job = Optional.of(new FlinkRest.JobState(jobId(), jobName(), "FINISHED", drained));
    } else if (lastJob != null) {
      node.put("countersAt", lastJobAt.toString());
      job =
          Optional.of(
              new FlinkRest.JobState(lastJob.id(), lastJob.name(), "STOPPED", lastJob.counters()));
    }
    job.ifPresent(
        j -> {
          node.put("job", j.name());
          node.put("jobId", j.id());
          node.put("state", j.state());
          ObjectNode counters = node.putObject("counters");
          FlinkRest.COUNTERS.forEach(c -> counters.put(c, j.counters().getOrDefault(c, 0L)));
        });
  }

  /** The engines' clusters: Flink's TaskManagers always, a Spark cluster when one is watched. */
  private void clusters(ObjectNode node) {
    node.putObject("flink").set("taskManagers", JSON.valueToTree(flink.taskManagers()));
    SparkRest spark = sparkCluster;
    if (spark == null) {
      return;
    }
    ObjectNode sparkNode = node.putObject("spark");
    spark.workers().ifPresent(workers -> sparkNode.set("workers", JSON.valueToTree(workers)));
    spark
        .executors()
        .ifPresent(executors -> sparkNode.set("executors", JSON.valueToTree(executors)));
  }

  private String jobId() {
    return lastJob == null ? "" : lastJob.id();
  }

  private String jobName() {
    return lastJob == null ? "" : lastJob.name();
  }

  /**
   * The chain's run log as the batch card shows it: attempts, failures, the last run, the last run
   * that did work (a run with nothing new reads as "gold is empty" otherwise), the last gold run,
   * and how many lines it skipped as unreadable.
   */
  static void runLog(ObjectNode node, Path file) {
    int attempts = 0;
    int failed = 0;
    JsonNode last = null;
    JsonNode lastGold = null;
    JsonNode lastWork = null;
    int unreadable = 0;
    if (Files.exists(file)) {
      try {
        // Decoded leniently: a line cut inside a multi-byte character is one unreadable line, not
        // an unreadable log.
        List<String> lines =
            new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          if (line.isBlank()) {
            continue;
          }
          JsonNode entry;
          try {
            entry = JSON.readTree(line);
          } catch (JsonProcessingException cutShort) {
            // The last line may be mid-append (the next poll reads it whole); any other was cut
            // short by a kill or a full disk, and the page says that it was skipped.
            if (i < lines.size() - 1) {
              unreadable++;
            }
            continue;
          }
          attempts++;
          if (!"ok".equals(entry.path("status").asText())) {
            failed++;
          }
          last = entry;
          if (didWork(entry)) {
            lastWork = entry;
          }
          if ("gold".equals(entry.path("stage").asText())
              && "ok".equals(entry.path("status").asText())) {
            lastGold = entry;
          }
        }
      } catch (IOException e) {
        LOG.debug("{} is unreadable now; the next poll tries again", file, e);
      }
    }
    node.put("attempts", attempts);
    node.put("unreadableLines", unreadable);
    node.put("failedAttempts", failed);
    node.set("lastRun", last);
    node.set("lastGold", lastGold);
    node.set("lastWork", lastWork);
  }

  private static final List<String> NOT_WORK =
      List.of("run", "attempt", "seconds", "status", "stage", "started", "error");

  /** A successful stage attempt with some figure above zero: it read or wrote something. */
  private static boolean didWork(JsonNode entry) {
    if (!"ok".equals(entry.path("status").asText())) {
      return false;
    }
    for (var field : entry.properties()) {
      if (!NOT_WORK.contains(field.getKey())
          && field.getValue().isNumber()
          && field.getValue().asDouble() > 0) {
        return true;
      }
    }
    return false;
  }

  private JsonNode verification() {
    Path file = sources.verificationReport();
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      LOG.debug("the verification report {} is unreadable; the page shows none", file, e);
      return null;
    }
  }

  /** One line for a terminal: every stage's headline figures. */
  public static String line(JsonNode s) {
    JsonNode c = s.path("stream").path("counters");
    JsonNode batch = s.path("batch");
    JsonNode lastRun = batch.path("lastRun");
    long gold = 0;
    long silver = 0;
    long bronze = 0;
    for (JsonNode t : s.path("tables")) {
      switch (t.path("name").asText()) {
        case PipelineNames.BRONZE_EVENTS -> bronze = t.path("rows").asLong();
        case PipelineNames.SILVER_EVENTS -> silver = t.path("rows").asLong();
        case PipelineNames.GOLD_TITLE_COUNTRY_DAILY -> gold = t.path("rows").asLong();
        default -> {}
      }
    }
    return String.format(
        "produced %,d %s | kafka %s | flink %s: lag %s, sessions %,d, late %,d, dups %,d | bronze %,d silver %,d gold %,d rows, lag %s | last batch: %s",
        s.path("generator").path("records").asLong(),
        s.path("generator").path("state").asText(),
        s.path("kafka").path("reachable").asBoolean() ? "up" : "DOWN",
        s.path("stream").path("state").asText("down"),
        lagText(s.path("stream").path("lag").asLong()),
        c.path("sessionsEmitted").asLong(),
        c.path("lateEvents").asLong(),
        c.path("duplicatesDropped").asLong(),
        bronze,
        silver,
        gold,
        lagText(batch.path("lag").asLong()),
        lastRun.isMissingNode() || lastRun.isNull()
            ? "none yet"
            : "run "
                + lastRun.path("run").asLong()
                + " "
                + lastRun.path("stage").asText()
                + " "
                + lastRun.path("status").asText());
  }

  private static String lagText(long lag) {
    return lag < 0 ? "?" : String.format("%,d", lag);
  }

  @Override
  public void close() {
    kafka.close();
  }
}
