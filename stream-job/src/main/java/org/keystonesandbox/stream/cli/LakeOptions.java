package org.keystonesandbox.stream.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.keystonesandbox.cli.Defaults;
import org.keystonesandbox.events.names.PipelineNames;
import org.keystonesandbox.stream.LakeSinkSettings;
import picocli.CommandLine.Option;

/**
 * Whether and where the job also writes its sessions to the lake: the flags of {@link
 * LakeSinkSettings}, named as the batch jobs name them.
 */
public final class LakeOptions {
  @Option(
      names = "--lake-sessions",
      description =
          "also write the sessions to the Iceberg table "
              + PipelineNames.RT_SESSIONS
              + " (upserts, one commit per checkpoint)")
  boolean lakeSessions;

  @Option(
      names = "--catalog",
      description = "with --lake-sessions: hadoop (files in --warehouse) or rest (--catalog-uri)")
  String catalog;

  @Option(
      names = "--warehouse",
      description = "with --lake-sessions: folder of the file-based catalog (default: data/lake)")
  Path warehouse;

  @Option(names = "--catalog-uri", description = "with --lake-sessions: the REST catalog's URI")
  String catalogUri;

  @Option(
      names = "--namespace",
      description =
          "with --lake-sessions: the table's namespace (default: "
              + PipelineNames.LAKE_NAMESPACE
              + ")")
  String namespace;

  public Optional<LakeSinkSettings> settings() {
    if (!lakeSessions) {
      if (catalog != null || warehouse != null || catalogUri != null || namespace != null) {
        throw new IllegalArgumentException(
            "--catalog, --warehouse, --catalog-uri and --namespace need --lake-sessions");
      }
      return Optional.empty();
    }
    String ns = namespace == null ? PipelineNames.LAKE_NAMESPACE : namespace;
    String type = catalog == null ? "hadoop" : catalog.toLowerCase(Locale.ROOT);
    return Optional.of(
        switch (type) {
          case "hadoop" -> {
            if (catalogUri != null) {
              throw new IllegalArgumentException("--catalog-uri needs --catalog rest");
            }
            yield LakeSinkSettings.files(
                warehouse == null ? Path.of(Defaults.LAKE) : warehouse, ns);
          }
          case "rest" -> {
            if (warehouse != null) {
              throw new IllegalArgumentException(
                  "--warehouse is the file-based catalog's; a REST catalog knows its own");
            }
            yield new LakeSinkSettings(LakeSinkSettings.CatalogType.REST, null, catalogUri, ns);
          }
          default ->
              throw new IllegalArgumentException(
                  "--catalog must be hadoop or rest, not " + catalog);
        });
  }
}
