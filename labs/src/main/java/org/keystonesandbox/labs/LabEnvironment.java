package org.keystonesandbox.labs;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.lake.Lake;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaBroker;

/**
 * The engines the labs run on, started once per JVM and shared by every lab that runs in it: an
 * embedded Kafka broker and a Spark session over a file catalog. Each lab keeps to its own topic,
 * namespace and folder.
 */
public final class LabEnvironment implements AutoCloseable {
  private final Path folder;
  private final EmbeddedKafkaBroker broker;
  private final SparkSession spark;

  private LabEnvironment(Path folder, EmbeddedKafkaBroker broker, SparkSession spark) {
    this.folder = folder;
    this.broker = broker;
    this.spark = spark;
  }

  /**
   * @param folder the labs' data: the broker's log in {@code kafka}, the lake in {@code lake}, one
   *     folder per lab
   * @param sparkUiPort Spark's web UI while a lab runs, 0 for none
   */
  public static LabEnvironment start(Path folder, int sparkUiPort) {
    EmbeddedKafkaBroker broker =
        EmbeddedKafkaBroker.builder().dataDir(folder.resolve("kafka")).build().start();
    try {
      SparkSession spark =
          Lake.session(
              LakeSettings.local(folder.resolve("lake")),
              "keystone-labs",
              "local[2]",
              sparkUiPort,
              4);
      return new LabEnvironment(folder, broker, spark);
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
  }

  public Path folder() {
    return folder;
  }

  public Path warehouse() {
    return folder.resolve("lake");
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  public SparkSession spark() {
    return spark;
  }

  @Override
  public void close() {
    try {
      spark.stop();
    } finally {
      broker.close();
    }
  }
}
