package org.keystonesandbox.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RestCatalogMainTest {

  @Test
  void catalogVariablesBecomePropertiesAsInIcebergsServer() {
    Map<String, String> env =
        Map.of(
            "CATALOG_WAREHOUSE", "/data/lake",
            "CATALOG_URI", "jdbc:sqlite:/data/lake/catalog.db",
            "CATALOG_REST_PORT", "8181",
            "CATALOG_IO__IMPL", "org.apache.iceberg.hadoop.HadoopFileIO",
            "CATALOG_JDBC_SCHEMA__VERSION", "V1",
            "CATALOG_", "ignored",
            "PATH", "/usr/bin");

    assertThat(RestCatalogMain.catalogProperties(env))
        .containsOnly(
            Map.entry("warehouse", "/data/lake"),
            Map.entry("uri", "jdbc:sqlite:/data/lake/catalog.db"),
            Map.entry("rest.port", "8181"),
            Map.entry("io-impl", "org.apache.iceberg.hadoop.HadoopFileIO"),
            Map.entry("jdbc.schema-version", "V1"));
  }

  @Test
  void theServerListensOnThisMachineOnlyUnlessToldOtherwise() {
    assertThat(RestCatalogMain.host(null)).isEqualTo("127.0.0.1");
    assertThat(RestCatalogMain.host(" ")).isEqualTo("127.0.0.1");
    assertThat(RestCatalogMain.host("0.0.0.0")).isEqualTo("0.0.0.0");
  }
}
