package org.keystonesandbox.stream;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.keystonesandbox.events.names.PipelineNames;

/**
 * Where the job lands its sessions in the lake, in the catalog the batch jobs use: the table {@link
 * PipelineNames#RT_SESSIONS} in {@code namespace}.
 *
 * @param catalog {@code HADOOP}: a file-based catalog in {@code warehouse}; {@code REST}: an
 *     Iceberg REST catalog at {@code catalogUri}
 * @param warehouse the file-based catalog's folder, as an absolute URI
 */
public record LakeSinkSettings(
    CatalogType catalog, String warehouse, String catalogUri, String namespace)
    implements Serializable {

  public enum CatalogType {
    HADOOP,
    REST
  }

  public LakeSinkSettings {
    Objects.requireNonNull(catalog, "catalog");
    Objects.requireNonNull(namespace, "namespace");
    if (catalog == CatalogType.HADOOP && warehouse == null) {
      throw new IllegalArgumentException("a file-based catalog needs its folder (--warehouse)");
    }
    if (catalog == CatalogType.REST && (catalogUri == null || catalogUri.isBlank())) {
      throw new IllegalArgumentException("a REST catalog needs its URI (--catalog-uri)");
    }
  }

  /** A file-based catalog in {@code warehouse}, as the batch jobs' default. */
  public static LakeSinkSettings files(Path warehouse, String namespace) {
    return new LakeSinkSettings(
        CatalogType.HADOOP, warehouse.toAbsolutePath().toUri().toString(), null, namespace);
  }

  /** Iceberg's catalog properties for these settings. */
  public Map<String, String> catalogProperties() {
    return catalog == CatalogType.HADOOP
        ? Map.of("warehouse", warehouse)
        : Map.of("uri", catalogUri);
  }
}
