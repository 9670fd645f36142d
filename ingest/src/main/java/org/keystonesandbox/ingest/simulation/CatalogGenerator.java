package org.keystonesandbox.ingest.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.keystonesandbox.events.catalog.Country;
import org.keystonesandbox.events.catalog.Title;

/** Generates the title catalog and the country list from a seed: same seed, same catalog. */
public final class CatalogGenerator {

  /** Where viewers live, with the share of viewers in each. */
  static final List<Country> COUNTRIES =
      List.of(
          new Country("US", "United States", "UCAN"),
          new Country("CA", "Canada", "UCAN"),
          new Country("BR", "Brazil", "LATAM"),
          new Country("MX", "Mexico", "LATAM"),
          new Country("GB", "United Kingdom", "EMEA"),
          new Country("DE", "Germany", "EMEA"),
          new Country("FR", "France", "EMEA"),
          new Country("ES", "Spain", "EMEA"),
          new Country("IN", "India", "APAC"),
          new Country("JP", "Japan", "APAC"),
          new Country("KR", "South Korea", "APAC"),
          new Country("AU", "Australia", "APAC"));

  static final double[] COUNTRY_WEIGHTS = {30, 5, 12, 8, 9, 7, 6, 5, 7, 5, 3, 3};

  private static final String[] GENRES = {
    "drama",
    "comedy",
    "thriller",
    "documentary",
    "animation",
    "sci-fi",
    "romance",
    "crime",
    "horror",
    "reality"
  };
  private static final String[] ADJECTIVES = {
    "Silent",
    "Last",
    "Hidden",
    "Broken",
    "Golden",
    "Crimson",
    "Endless",
    "Distant",
    "Wild",
    "Secret",
    "Midnight",
    "Frozen",
    "Burning",
    "Lost",
    "Northern",
    "Electric"
  };
  private static final String[] NOUNS = {
    "Harbor",
    "Kingdom",
    "Signal",
    "Garden",
    "Frontier",
    "Orchard",
    "Empire",
    "Tide",
    "Station",
    "Mirror",
    "Canyon",
    "Archive",
    "Voyage",
    "Circuit",
    "Lantern",
    "Meridian"
  };

  private CatalogGenerator() {}

  public static List<Country> countries() {
    return COUNTRIES;
  }

  /**
   * {@code count} titles, {@code t00001} first. About 40% are films of 80 to 150 minutes, the rest
   * episodes of 20 to 60 minutes; runtimes are whole seconds.
   */
  public static List<Title> titles(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int width = Math.max(5, Integer.toString(count).length());
    List<Title> titles = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      boolean film = random.nextDouble() < 0.4;
      long runtimeSeconds =
          film ? random.nextLong(80 * 60, 150 * 60 + 1) : random.nextLong(20 * 60, 60 * 60 + 1);
      String name =
          ADJECTIVES[random.nextInt(ADJECTIVES.length)]
              + " "
              + NOUNS[random.nextInt(NOUNS.length)]
              + (film ? "" : " S" + random.nextInt(1, 6));
      titles.add(
          new Title(
              "t" + zeroPadded(i, width),
              name,
              GENRES[random.nextInt(GENRES.length)],
              film ? "film" : "episode",
              runtimeSeconds * 1000,
              random.nextInt(1990, 2027)));
    }
    return titles;
  }

  static String zeroPadded(long value, int width) {
    String digits = Long.toString(value);
    return "0".repeat(Math.max(0, width - digits.length())) + digits;
  }
}
