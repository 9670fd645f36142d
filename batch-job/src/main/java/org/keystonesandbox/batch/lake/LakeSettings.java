package org.keystonesandbox.batch.lake;

import java.nio.file.Path;
import java.util.Objects;
import org.keystonesandbox.events.names.PipelineNames;

/**
 * Where the tables live and how they are written.
 *
 * @param catalogType {@code hadoop}: a file-based catalog in {@code warehouse}; {@code rest}: an
 *     Iceberg REST catalog at {@code catalogUri}
 * @param writeMode how row-level changes (the completions {@code MERGE}) are written
 */
public record LakeSettings(
    CatalogType catalogType,
    Path warehouse,
    String catalogUri,
    String namespace,
    WriteMode writeMode) {

  public enum CatalogType {
    HADOOP,
    REST
  }

  public enum WriteMode {
    COPY_ON_WRITE("copy-on-write"),
    MERGE_ON_READ("merge-on-read");

    private final String icebergName;

    WriteMode(String icebergName) {
      this.icebergName = icebergName;
    }

    public String icebergName() {
      return icebergName;
    }
  }

  public LakeSettings {
    Objects.requireNonNull(catalogType, "catalogType");
    Objects.requireNonNull(warehouse, "warehouse");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(writeMode, "writeMode");
    if (catalogType == CatalogType.REST && (catalogUri == null || catalogUri.isBlank())) {
      throw new IllegalArgumentException("a REST catalog needs its URI (--catalog-uri)");
    }
  }

  /** A file-based catalog in {@code warehouse}, namespace {@code keystone}, merge-on-read. */
  public static LakeSettings local(Path warehouse) {
    return new LakeSettings(
        CatalogType.HADOOP, warehouse, null, PipelineNames.LAKE_NAMESPACE, WriteMode.MERGE_ON_READ);
  }

  public String table(String name) {
    return PipelineNames.LAKE_CATALOG + "." + namespace + "." + name;
  }
}
