package org.keystonesandbox.catalog;

import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.iceberg.MetadataUpdate;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.rest.requests.CommitTransactionRequest;
import org.apache.iceberg.rest.requests.CreateNamespaceRequest;
import org.apache.iceberg.rest.requests.CreateTableRequest;
import org.apache.iceberg.rest.requests.CreateViewRequest;
import org.apache.iceberg.rest.requests.RegisterTableRequest;
import org.apache.iceberg.rest.requests.UpdateNamespacePropertiesRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequest;

/**
 * Refuses every request that would point a namespace, table or view outside the warehouse: the
 * server writes metadata files where a table's location (or {@code write.metadata.path}) says, so a
 * client able to choose any location could make it write anywhere its user may.
 */
final class WarehouseGuard {
  /** The properties that place files: a namespace's or table's location and its write paths. */
  static final List<String> LOCATION_PROPERTIES =
      List.of(
          "location",
          TableProperties.WRITE_DATA_LOCATION,
          TableProperties.WRITE_METADATA_LOCATION,
          TableProperties.OBJECT_STORE_PATH,
          TableProperties.WRITE_FOLDER_STORAGE_LOCATION);

  private static final Pattern OTHER_SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*:.*");

  private final Path warehouse;

  WarehouseGuard(Path warehouse) {
    this.warehouse = warehouse.toAbsolutePath().normalize();
  }

  /** Throws {@link ForbiddenException} (HTTP 403) if {@code body} names a location outside. */
  void check(Object body) {
    if (body instanceof CreateTableRequest create) {
      checkLocation(create.location());
      checkProperties(create.properties());
    } else if (body instanceof RegisterTableRequest register) {
      checkLocation(register.metadataLocation());
    } else if (body instanceof UpdateTableRequest update) {
      checkUpdates(update.updates());
    } else if (body instanceof CommitTransactionRequest commit) {
      commit.tableChanges().forEach(change -> checkUpdates(change.updates()));
    } else if (body instanceof CreateNamespaceRequest create) {
      checkProperties(create.properties());
    } else if (body instanceof UpdateNamespacePropertiesRequest update) {
      checkProperties(update.updates());
    } else if (body instanceof CreateViewRequest create) {
      checkLocation(create.location());
      checkProperties(create.properties());
    }
  }

  private void checkUpdates(List<MetadataUpdate> updates) {
    for (MetadataUpdate update : updates) {
      if (update instanceof MetadataUpdate.SetLocation setLocation) {
        checkLocation(setLocation.location());
      } else if (update instanceof MetadataUpdate.SetProperties setProperties) {
        checkProperties(setProperties.updated());
      }
    }
  }

  private void checkProperties(Map<String, String> properties) {
    if (properties == null) {
      return;
    }
    for (String key : LOCATION_PROPERTIES) {
      if (properties.containsKey(key)) {
        checkLocation(properties.get(key));
      }
    }
  }

  /** A location is allowed if it is a local path inside the warehouse ({@code null}: default). */
  void checkLocation(String location) {
    if (location == null || inside(location)) {
      return;
    }
    throw new ForbiddenException(
        "location %s is outside the catalog's warehouse %s: this catalog keeps every table in it",
        location, warehouse);
  }

  private boolean inside(String location) {
    Path path;
    try {
      if (location.startsWith("file:")) {
        path = Path.of(URI.create(location));
      } else if (OTHER_SCHEME.matcher(location).matches()) {
        return false; // s3://, hdfs://...: never this local folder
      } else {
        path = Path.of(location);
      }
    } catch (IllegalArgumentException | FileSystemNotFoundException e) {
      return false;
    }
    return path.isAbsolute() && path.normalize().startsWith(warehouse);
  }
}
