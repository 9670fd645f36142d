package org.keystonesandbox.events.catalog;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.keystonesandbox.events.PlainCsv;

/**
 * Reads and writes the catalog dimensions ({@code titles.csv}, {@code countries.csv}). They are
 * written atomically: the sandbox and the compose chain start gold once {@code titles.csv} exists,
 * so it must never exist half-written.
 */
public final class CatalogFiles {

  public static final String TITLES_FILE = "titles.csv";
  public static final String COUNTRIES_FILE = "countries.csv";
  static final String TITLES_HEADER = "title_id,name,genre,kind,runtime_ms,release_year";
  static final String COUNTRIES_HEADER = "country,name,region";

  private CatalogFiles() {}

  public static void writeTitles(Path file, List<Title> titles) throws IOException {
    PlainCsv.writeAtomically(file, out -> writeTitles(out, titles));
  }

  private static void writeTitles(BufferedWriter out, List<Title> titles) throws IOException {
    out.write(TITLES_HEADER);
    out.newLine();
    for (Title t : titles) {
      out.write(
          String.join(
              ",",
              PlainCsv.checked(t.titleId()),
              PlainCsv.checked(t.name()),
              PlainCsv.checked(t.genre()),
              PlainCsv.checked(t.kind()),
              Long.toString(t.runtimeMs()),
              Integer.toString(t.releaseYear())));
      out.newLine();
    }
  }

  public static List<Title> readTitles(Path file) throws IOException {
    List<Title> titles = new ArrayList<>();
    try (BufferedReader in = PlainCsv.newReader(file)) {
      PlainCsv.requireHeader(in.readLine(), TITLES_HEADER, file);
      String line;
      long lineNumber = 1;
      while ((line = in.readLine()) != null) {
        String[] f = PlainCsv.split(line, 6, file, ++lineNumber);
        titles.add(new Title(f[0], f[1], f[2], f[3], Long.parseLong(f[4]), Integer.parseInt(f[5])));
      }
    }
    return titles;
  }

  public static void writeCountries(Path file, List<Country> countries) throws IOException {
    PlainCsv.writeAtomically(file, out -> writeCountries(out, countries));
  }

  private static void writeCountries(BufferedWriter out, List<Country> countries)
      throws IOException {
    out.write(COUNTRIES_HEADER);
    out.newLine();
    for (Country c : countries) {
      out.write(
          String.join(
              ",",
              PlainCsv.checked(c.code()),
              PlainCsv.checked(c.name()),
              PlainCsv.checked(c.region())));
      out.newLine();
    }
  }

  public static List<Country> readCountries(Path file) throws IOException {
    List<Country> countries = new ArrayList<>();
    try (BufferedReader in = PlainCsv.newReader(file)) {
      PlainCsv.requireHeader(in.readLine(), COUNTRIES_HEADER, file);
      String line;
      long lineNumber = 1;
      while ((line = in.readLine()) != null) {
        String[] f = PlainCsv.split(line, 3, file, ++lineNumber);
        countries.add(new Country(f[0], f[1], f[2]));
      }
    }
    return countries;
  }
}
