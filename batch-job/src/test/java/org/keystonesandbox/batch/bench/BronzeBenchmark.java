package org.keystonesandbox.batch.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.bronze.BronzeJob;
import org.keystonesandbox.batch.bronze.BronzeRecords;
import org.keystonesandbox.batch.bronze.KafkaOffsets;
import org.keystonesandbox.batch.bronze.KafkaRangeReader;
import org.keystonesandbox.batch.lake.Lake;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.Tables;
import org.keystonesandbox.bench.AlternatingBlocks;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaBroker;

/**
 * Bronze against what the same reading and writing cost with no logic: the same offset ranges read
 * by the same plain-consumer tasks, parsed with the contract's parser into the same rows, written
 * as Parquet to an Iceberg table of the same schema in one append. What bronze adds is its logic:
 * the two tables (events and quarantine), the rows staged and then published as a fast-forward with
 * the offsets in the snapshot (write-audit-publish), and the parsed records kept for both tables.
 * Each run starts from offset 0 in a fresh namespace, so every run reads and writes the whole
 * topic.
 *
 * <pre>
 * mvn -q install -DskipTests
 * mvn -q -pl batch-job exec:exec@bronze-benchmark [-Dbench.bronzeEvents=1000000] [-Dbench.blocks=5]
 * </pre>
 */
public final class BronzeBenchmark {
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  public static void main(String[] args) throws Exception {
    long events = Long.getLong("bench.events", 1_000_000);
    int blocks = Integer.getInteger("bench.blocks", 5);
    Path work = Files.createTempDirectory("bronze-bench-");
    try (EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.builder().dataDir(work.resolve("kafka")).build().start()) {
      String bootstrap = broker.bootstrapServers();
      RunSummary summary = BenchEvents.generate(bootstrap, events, work.resolve("generator"));
      System.out.printf(
          "bronze benchmark: %,d records (%,d unique events) in %s, %d blocks%n",
          summary.records(), summary.uniqueEvents(), PipelineNames.EVENTS_TOPIC, blocks);

      LakeSettings lake = LakeSettings.local(work.resolve("lake"));
      SparkSession spark = Lake.session(lake, "bronze-benchmark", "local[*]", 0, 8);
      AtomicInteger runs = new AtomicInteger();
      AlternatingBlocks.Run bronze =
          () -> {
            LakeSettings fresh = namespace(lake, "job_" + runs.incrementAndGet());
            long started = System.nanoTime();
            BronzeJob.Result result =
                new BronzeJob(spark, fresh)
                    .run(
                        new BronzeJob.Settings(
                            bootstrap,
                            PipelineNames.EVENTS_TOPIC,
                            KAFKA_TIMEOUT,
                            BronzeJob.Crash.NONE));
            double rate = result.recordsRead() / seconds(started);
            drop(spark, fresh);
            return rate;
          };
      AlternatingBlocks.Run reference =
          () -> {
            LakeSettings fresh = namespace(lake, "reference_" + runs.incrementAndGet());
            long started = System.nanoTime();
            long records = readParseAppend(spark, fresh, bootstrap);
            double rate = records / seconds(started);
            drop(spark, fresh);
            return rate;
          };
      AlternatingBlocks.Result result =
          new AlternatingBlocks(1, blocks, System.out)
              .run("bronze", bronze, "read+parse+append", reference);
      System.out.println(
          result.line(
              "bronze",
              "records/s",
              "the same read, parse and one Parquet append with no logic",
              "at least 0.5"));
    }
  }

  /**
   * The reference: the topic from offset 0 to its end, read by bronze's own range reader, parsed by
   * the contract's parser, the valid events appended to a fresh events table in one commit.
   */
  private static long readParseAppend(SparkSession spark, LakeSettings lake, String bootstrap)
      throws Exception {
    Tables.createAll(spark, lake);
    KafkaOffsets end = KafkaOffsets.endOf(bootstrap, PipelineNames.EVENTS_TOPIC, KAFKA_TIMEOUT);
    Dataset<Row> records =
        KafkaRangeReader.read(
            spark,
            bootstrap,
            KafkaOffsets.none(PipelineNames.EVENTS_TOPIC),
            end,
            BronzeJob.RECORDS_PER_TASK,
            KAFKA_TIMEOUT);
    String table = lake.table(PipelineNames.BRONZE_EVENTS);
    Tables.conformTo(spark, table, BronzeRecords.events(BronzeRecords.parse(records)))
        .writeTo(table)
        .append();
    return KafkaOffsets.none(PipelineNames.EVENTS_TOPIC).recordsUpTo(end);
  }

  private static LakeSettings namespace(LakeSettings lake, String namespace) {
    return new LakeSettings(
        lake.catalogType(), lake.warehouse(), lake.catalogUri(), namespace, lake.writeMode());
  }

  /** Drops a run's tables with their files, so that the disk holds one run's data at a time. */
  private static void drop(SparkSession spark, LakeSettings lake) {
    for (String table : PipelineNames.TABLES) {
      spark.sql("DROP TABLE IF EXISTS " + lake.table(table) + " PURGE");
    }
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
