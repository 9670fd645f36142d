package org.keystonesandbox.batch.lake;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.events.names.PipelineNames;

/** Builds the Spark session every job runs in: the Iceberg catalog {@code lake}, UTC, loopback. */
public final class Lake {
  /** The master when neither {@code --master} nor {@code spark-submit} names one. */
  public static final String DEFAULT_MASTER = "local[*]";

  /**
   * How many classes Spark's code generation keeps compiled, unless {@code spark-submit} says. Its
   * default, 100, holds less than what one run of silver and gold generates, so a JVM that runs the
   * jobs again and again (the chain, the labs, the benchmark) compiled most of every run's plans
   * anew: a third of a late-data repair's time.
   */
  static final String CODEGEN_CACHE_ENTRIES = "1000";

  private Lake() {}

  /**
   * @param master {@code local[*]}, {@code local[2]}, or a cluster's master URL; null: the one
   *     {@code spark-submit --master} gave, else {@link #DEFAULT_MASTER}
   * @param uiPort Spark's web UI port, or 0 for no UI
   */
  public static SparkSession session(
      LakeSettings lake, String appName, String master, int uiPort, int shufflePartitions) {
    String catalog = "spark.sql.catalog." + PipelineNames.LAKE_CATALOG;
    SparkSession.Builder builder =
        SparkSession.builder()
            .config(launchSettings(new SparkConf(), master))
            .appName(appName)
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", uiPort > 0)
            .config("spark.ui.port", Math.max(uiPort, 4040))
            .config("spark.ui.showConsoleProgress", false)
            .config("spark.sql.shuffle.partitions", shufflePartitions)
            .config(
                "spark.sql.extensions",
                "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
            .config(catalog, "org.apache.iceberg.spark.SparkCatalog")
            .config(catalog + ".cache-enabled", false);
    if (lake.catalogType() == LakeSettings.CatalogType.HADOOP) {
      builder
          .config(catalog + ".type", "hadoop")
          .config(catalog + ".warehouse", lake.warehouse().toAbsolutePath().toUri().toString());
    } else {
      builder.config(catalog + ".type", "rest").config(catalog + ".uri", lake.catalogUri());
    }
    return builder.getOrCreate();
  }

  /**
   * What {@code spark-submit} passed ({@code conf} holds its {@code --master} and {@code --conf}s),
   * with this project's defaults where it passed nothing: the driver on loopback (a cluster's
   * executors need {@code --conf spark.driver.host=<this host> --conf
   * spark.driver.bindAddress=0.0.0.0}), {@link #CODEGEN_CACHE_ENTRIES} and {@link #DEFAULT_MASTER}.
   * An explicit {@code master} wins.
   */
  static SparkConf launchSettings(SparkConf conf, String master) {
    conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
    conf.setIfMissing("spark.driver.host", "127.0.0.1");
    conf.setIfMissing("spark.sql.codegen.cache.maxEntries", CODEGEN_CACHE_ENTRIES);
    if (master != null) {
      conf.setMaster(master);
    } else {
      conf.setIfMissing("spark.master", DEFAULT_MASTER);
    }
    return conf;
  }
}
