package org.keystonesandbox.ingest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.keystonesandbox.cli.UsageException;
import org.keystonesandbox.events.catalog.CatalogFiles;
import org.keystonesandbox.events.catalog.Title;
import org.keystonesandbox.events.topics.KafkaUnavailableException;
import org.keystonesandbox.events.topics.TopicProvisioner;
import org.keystonesandbox.events.truth.GroundTruthWriter;
import org.keystonesandbox.ingest.delivery.EventStream;
import org.keystonesandbox.ingest.delivery.OutgoingRecord;
import org.keystonesandbox.ingest.delivery.RecordEncoder;
import org.keystonesandbox.ingest.delivery.RecordKind;
import org.keystonesandbox.ingest.simulation.CatalogGenerator;
import org.keystonesandbox.ingest.simulation.ViewingWorld;

/**
 * One generator run: prepares the topic and the catalog files, sends the event stream with an
 * idempotent producer at the requested pace, records each unique event in the ground truth as it is
 * sent, reports progress, and writes the summary.
 */
public final class GeneratorRun {

  private static final long SEED_CATALOG = 0x5eed_0020L;

  private final GeneratorSettings settings;
  private final PrintStream progress;
  private volatile boolean stopRequested;

  public GeneratorRun(GeneratorSettings settings, PrintStream progress) {
    this.settings = settings;
    this.progress = progress;
  }

  /** Ends the run at the next record, without delivering what is still in flight. */
  public void requestStop() {
    stopRequested = true;
  }

  /** The titles a run with these settings generates (and writes to {@code titles.csv}). */
  public static List<Title> titles(GeneratorSettings settings) {
    return CatalogGenerator.titles(
        settings.world().titles(), ViewingWorld.mix(settings.world().catalogSeed(), SEED_CATALOG));
  }

  /** The records a run with these settings sends, in order, without Kafka. */
  public static EventStream eventStream(GeneratorSettings settings) {
    ViewingWorld world = new ViewingWorld(settings.world(), titles(settings));
    RunLimits limits = settings.limits();
    long simEnd =
        limits.simDuration() == null
            ? Long.MAX_VALUE
            : settings.world().start().plus(limits.simDuration()).toEpochMilli();
    return new EventStream(
        world, settings.delivery(), settings.world().seed(), limits.maxEvents(), simEnd);
  }

  /**
   * Runs to the end.
   *
   * @throws KafkaUnavailableException if the broker cannot be reached or the topic created
   * @throws UsageException if the output folder holds an earlier run's files
   */
  public RunSummary run() throws IOException {
    OutputSettings output = settings.output();
    if (Files.exists(output.truthFile()) && !output.overwrite()) {
      throw new UsageException(
          output.truthFile() + " exists: pass --overwrite, or another --out-dir");
    }
    KafkaSettings kafka = settings.kafka();
    int partitions =
        TopicProvisioner.ensureTopic(
            kafka.bootstrapServers(),
            kafka.topic(),
            kafka.partitions(),
            kafka.replicationFactor(),
            kafka.connectTimeout());
    if (partitions != kafka.partitions()) {
      progress.printf(
          "note: topic '%s' already exists with %d partitions (asked for %d); using it as is%n",
          kafka.topic(), partitions, kafka.partitions());
    }
    Files.createDirectories(output.outDir());
    CatalogFiles.writeTitles(output.outDir().resolve(CatalogFiles.TITLES_FILE), titles(settings));
    CatalogFiles.writeCountries(
        output.outDir().resolve(CatalogFiles.COUNTRIES_FILE), CatalogGenerator.countries());

    EventStream stream = eventStream(settings);
    RunStats stats = new RunStats();
    SendFailures failures = new SendFailures();
    long started = System.nanoTime();
    String endedBy;
    try (GroundTruthWriter truth = new GroundTruthWriter(output.truthFile());
        KafkaProducer<byte[], byte[]> producer = newProducer(kafka)) {
      endedBy = send(stream, producer, truth, stats, failures, started);
      progress.println("flushing the producer...");
      try {
        producer.flush();
      } catch (KafkaException e) {
        failures.record(e);
      }
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    long simStart = settings.world().start().toEpochMilli();
    RunSummary summary =
        new RunSummary(
            kafka.topic(),
            partitions,
            settings.world().seed(),
            settings.world().start(),
            Instant.ofEpochMilli(Math.max(stats.lastEventTs, simStart)),
            Instant.ofEpochMilli(Math.max(stats.simClockMs, simStart)),
            stats.records,
            stats.uniqueEvents,
            stats.duplicates,
            stats.lateEvents,
            stats.malformed,
            stats.malformedByKind(),
            stats.bytes,
            failures.count.get(),
            failures.count.get() > 0 ? "kafka-error: " + failures.firstMessage() : endedBy,
            failures.count.get() == 0,
            elapsed,
            output.truthFile());
    summary.writeJson(output.summaryFile());
    return summary;
  }

  private String send(
      EventStream stream,
      KafkaProducer<byte[], byte[]> producer,
      GroundTruthWriter truth,
      RunStats stats,
      SendFailures failures,
      long started) {
    RunLimits limits = settings.limits();
    String topic = settings.kafka().topic();
    RecordEncoder encoder = new RecordEncoder();
    double nanosPerRecord = 1e9 / limits.rate();
    long durationNanos = limits.duration() == null ? Long.MAX_VALUE : limits.duration().toNanos();
    long progressNanos = settings.output().progressInterval().toNanos();
    long nextProgress = started + progressNanos;
    boolean durationReached = false;
    OutgoingRecord record;
    while ((record = stream.next()) != null) {
      if (stopRequested) {
        return "interrupt";
      }
      if (failures.count.get() > 0) {
        return "kafka-error";
      }
      long now = System.nanoTime();
      if (!limits.unthrottled()) {
        long due = started + (long) (stats.records * nanosPerRecord);
        if (due - now > 100_000) {
          LockSupport.parkNanos(due - now);
          now = System.nanoTime();
        }
      }
      if (!durationReached && now - started >= durationNanos) {
        stream.finish();
        durationReached = true;
      }
      if (now >= nextProgress) {
        reportProgress(stats, stream, now - started);
        nextProgress += progressNanos;
      }
      byte[] value = encoder.value(record);
      try {
        producer.send(new ProducerRecord<>(topic, RecordEncoder.key(record), value), failures);
      } catch (KafkaException e) {
        failures.record(e);
        return "kafka-error";
      }
      if (record.kind() == RecordKind.ORIGINAL) {
        truth.write(record.event());
      }
      stats.count(record, value.length);
    }
    if (stopRequested) {
      return "interrupt";
    }
    if (durationReached) {
      return "duration";
    }
    return stream.eventsTaken() >= limits.maxEvents() ? "count" : "sim-duration";
  }

  private void reportProgress(RunStats stats, EventStream stream, long elapsedNanos) {
    double seconds = elapsedNanos / 1e9;
    progress.printf(
        Locale.ROOT,
        "[%5.0fs] %,d records %,.0f/s | unique %,d  late %,d  duplicates %,d  malformed %,d |"
            + " event time %s | in flight %,d%n",
        seconds,
        stats.records,
        stats.records / seconds,
        stats.uniqueEvents,
        stats.lateEvents,
        stats.duplicates,
        stats.malformed,
        Instant.ofEpochMilli(stats.simClockMs).truncatedTo(ChronoUnit.MINUTES),
        stream.inFlight());
  }

  private static KafkaProducer<byte[], byte[]> newProducer(KafkaSettings kafka) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) kafka.connectTimeout().toMillis());
    props.putAll(kafka.producerProperties());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** One callback for every record: counts failures, keeps the first message. */
  private static final class SendFailures implements Callback {
    final AtomicLong count = new AtomicLong();
    final AtomicReference<String> first = new AtomicReference<>();

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
      if (exception != null) {
        record(exception);
      }
    }

    void record(Exception e) {
      count.incrementAndGet();
      first.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    String firstMessage() {
      return first.get();
    }
  }
}
