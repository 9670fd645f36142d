package org.keystonesandbox.batch.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.lake.Lake;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.cli.Defaults;
import org.keystonesandbox.events.names.PipelineNames;
import picocli.CommandLine.Option;

/** Where the tables are and how Spark runs: shared by every batch command and the verifier. */
public final class LakeOptions {
  @Option(
      names = "--warehouse",
      defaultValue = Defaults.LAKE,
      description = "folder of the file-based catalog (default: ${DEFAULT-VALUE})")
  Path warehouse;

  @Option(
      names = "--catalog",
      defaultValue = "hadoop",
      description =
          "hadoop (files in --warehouse) or rest (--catalog-uri) (default: ${DEFAULT-VALUE})")
  String catalog;

  @Option(names = "--catalog-uri", description = "the Iceberg REST catalog's URI")
  String catalogUri;

  @Option(
      names = "--namespace",
      defaultValue = PipelineNames.LAKE_NAMESPACE,
      description = "the tables' namespace (default: ${DEFAULT-VALUE})")
  String namespace;

  static final String WRITE_MODE = "--write-mode";
  private static final String DEFAULT_WRITE_MODE = "merge-on-read";

  // Initialised for a command that leaves the flag out (sql), where picocli sets no default
  @Option(
      names = WRITE_MODE,
      defaultValue = DEFAULT_WRITE_MODE,
      description =
          "copy-on-write or merge-on-read, for row-level changes (default: ${DEFAULT-VALUE})")
  String writeMode = DEFAULT_WRITE_MODE;

  @Option(
      names = "--master",
      description =
          "Spark master (default: spark-submit's --master when launched by it, else "
              + Lake.DEFAULT_MASTER
              + ")")
  String master;

  @Option(
      names = "--ui-port",
      defaultValue = Defaults.SPARK_UI_PORT,
      description = "Spark UI port, 0 for none (default: ${DEFAULT-VALUE})")
  int uiPort;

  @Option(
      names = "--shuffle-partitions",
      defaultValue = "8",
      description = "spark.sql.shuffle.partitions (default: ${DEFAULT-VALUE})")
  int shufflePartitions;

  public LakeSettings settings() {
    LakeSettings.CatalogType type =
        switch (catalog.toLowerCase(Locale.ROOT)) {
          case "hadoop" -> LakeSettings.CatalogType.HADOOP;
          case "rest" -> LakeSettings.CatalogType.REST;
          default ->
              throw new IllegalArgumentException(
                  "--catalog must be hadoop or rest, not " + catalog);
        };
    LakeSettings.WriteMode mode =
        switch (writeMode.toLowerCase(Locale.ROOT)) {
          case "copy-on-write" -> LakeSettings.WriteMode.COPY_ON_WRITE;
          case "merge-on-read" -> LakeSettings.WriteMode.MERGE_ON_READ;
          default ->
              throw new IllegalArgumentException(
                  "--write-mode must be copy-on-write or merge-on-read, not " + writeMode);
        };
    return new LakeSettings(type, warehouse, catalogUri, namespace, mode);
  }

  public SparkSession session(String appName) {
    return Lake.session(settings(), appName, master, uiPort, shufflePartitions);
  }
}
