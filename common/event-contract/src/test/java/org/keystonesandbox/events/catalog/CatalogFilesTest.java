package org.keystonesandbox.events.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogFilesTest {

  @TempDir Path dir;

  @Test
  void titlesAndCountriesRoundTrip() throws IOException {
    List<Title> titles =
        List.of(
            new Title("t00001", "Silent Harbor", "drama", "film", 5_400_000, 2021),
            new Title("t00002", "Lost Orchard S2", "comedy", "episode", 1_500_000, 1999));
    List<Country> countries = List.of(new Country("US", "United States", "UCAN"));
    CatalogFiles.writeTitles(dir.resolve(CatalogFiles.TITLES_FILE), titles);
    CatalogFiles.writeCountries(dir.resolve(CatalogFiles.COUNTRIES_FILE), countries);
    assertThat(CatalogFiles.readTitles(dir.resolve(CatalogFiles.TITLES_FILE))).isEqualTo(titles);
    assertThat(CatalogFiles.readCountries(dir.resolve(CatalogFiles.COUNTRIES_FILE)))
        .isEqualTo(countries);
  }

  @Test
  void aValueThatWouldNeedQuotingIsRefused() {
    List<Title> titles = List.of(new Title("t1", "Crime, Inc.", "crime", "film", 1, 2000));
    assertThatThrownBy(() -> CatalogFiles.writeTitles(dir.resolve("t.csv"), titles))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Crime, Inc.");
  }

  @Test
  void aCatalogWriteThatFailsHalfwayLeavesTheWholeOldFileAndNoTemporaryOne() throws IOException {
    Path file = dir.resolve(CatalogFiles.TITLES_FILE);
    List<Title> old =
        List.of(new Title("t00001", "Silent Harbor", "drama", "film", 5_400_000, 2021));
    CatalogFiles.writeTitles(file, old);
    List<Title> failing =
        List.of(
            new Title("t00002", "Lost Orchard", "comedy", "film", 1_500_000, 1999),
            new Title("t00003", "Crime, Inc.", "crime", "film", 1, 2000));

    assertThatThrownBy(() -> CatalogFiles.writeTitles(file, failing))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(CatalogFiles.readTitles(file)).isEqualTo(old);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }

    Path countries = dir.resolve(CatalogFiles.COUNTRIES_FILE);
    CatalogFiles.writeCountries(countries, List.of(new Country("US", "United States", "UCAN")));
    assertThatThrownBy(
            () ->
                CatalogFiles.writeCountries(
                    countries,
                    List.of(
                        new Country("DE", "Germany", "EMEA"),
                        new Country("KR", "Korea, Republic of", "APAC"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(CatalogFiles.readCountries(countries))
        .containsExactly(new Country("US", "United States", "UCAN"));
  }
}
