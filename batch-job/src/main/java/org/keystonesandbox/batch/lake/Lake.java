package org.keystonesandbox.batch.lake;

import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.events.names.PipelineNames;

/** Builds the Spark session every job runs in: the Iceberg catalog {@code lake}, UTC, loopback. */
public final class Lake {
  private Lake() {}

  /**
   * @param master {@code local[*]}, {@code local[2]}, or a cluster's master URL
   * @param uiPort Spark's web UI port, or 0 for no UI
   */
  public static SparkSession session(
      LakeSettings lake, String appName, String master, int uiPort, int shufflePartitions) {
    String catalog = "spark.sql.catalog." + PipelineNames.LAKE_CATALOG;
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(appName)
            .master(master)
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
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
}
