package org.keystonesandbox.catalog;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.MetadataUpdate;
import org.apache.iceberg.Schema;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.rest.requests.CreateNamespaceRequest;
import org.apache.iceberg.rest.requests.CreateTableRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequest;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.events.names.PipelineNames;

class WarehouseGuardTest {
  private static final Path WAREHOUSE = Path.of("/data/lake");
  private static final Schema SCHEMA =
      new Schema(Types.NestedField.required(1, "event_id", Types.StringType.get()));

  private final WarehouseGuard guard = new WarehouseGuard(WAREHOUSE);

  private static CreateTableRequest create(String location, Map<String, String> properties) {
    return CreateTableRequest.builder()
        .withName("events")
        .withSchema(SCHEMA)
        .withLocation(location)
        // A HashMap: Iceberg's builders ask the map for a null key, which Map.of's maps refuse.
        .setProperties(new HashMap<>(properties))
        .build();
  }

  @Test
  void locationsInsideTheWarehouseOrLeftToTheCatalogAreAllowed() {
    for (String location :
        new String[] {
          null,
          "/data/lake/keystone/events",
          "file:/data/lake/keystone/events",
          "file:///data/lake/x"
        }) {
      assertThatCode(() -> guard.check(create(location, Map.of())))
          .as(location)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void locationsOutsideTheWarehouseAreRefusedWithA403() {
    for (String location :
        List.of(
            "/etc/keystone",
            "/data/lake/../../etc",
            "/data/lakeside/events",
            "file:/tmp/events",
            "s3://bucket/events",
            "relative/events")) {
      assertThatThrownBy(() -> guard.check(create(location, Map.of())))
          .as(location)
          .isInstanceOf(ForbiddenException.class)
          .hasMessageContaining("outside the catalog's warehouse /data/lake");
    }
  }

  @Test
  void writePathsNamespaceLocationsAndLocationUpdatesAreCheckedToo() {
    assertThatThrownBy(
            () -> guard.check(create(null, Map.of("write.metadata.path", "/var/tmp/meta"))))
        .isInstanceOf(ForbiddenException.class);
    assertThatThrownBy(
            () ->
                guard.check(
                    CreateNamespaceRequest.builder()
                        .withNamespace(
                            org.apache.iceberg.catalog.Namespace.of(PipelineNames.LAKE_NAMESPACE))
                        .setProperties(new HashMap<>(Map.of("location", "/home")))
                        .build()))
        .isInstanceOf(ForbiddenException.class);
    assertThatThrownBy(
            () ->
                guard.check(
                    UpdateTableRequest.create(
                        null,
                        List.of(),
                        List.of(
                            new MetadataUpdate.SetProperties(Map.of("owner", "me")),
                            new MetadataUpdate.SetLocation("/srv/elsewhere")))))
        .isInstanceOf(ForbiddenException.class)
        .hasMessageContaining("/srv/elsewhere");
    assertThatCode(
            () ->
                guard.check(
                    UpdateTableRequest.create(
                        null,
                        List.of(),
                        List.of(new MetadataUpdate.SetProperties(Map.of("owner", "me"))))))
        .doesNotThrowAnyException();
  }
}
