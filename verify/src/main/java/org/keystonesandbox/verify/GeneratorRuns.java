package org.keystonesandbox.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.keystonesandbox.events.RejectReason;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.catalog.CatalogFiles;
import org.keystonesandbox.events.catalog.Title;
import org.keystonesandbox.events.truth.GroundTruthReader;

/**
 * What the generator says it did: one or more runs, each a folder with {@code summary.json}, {@code
 * truth.csv} and {@code titles.csv} (the folder itself, or its {@code run-*} subfolders when the
 * sandbox continued an earlier run).
 */
final class GeneratorRuns {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One finished run, from its {@code summary.json}. */
  record Run(
      Path dir,
      boolean complete,
      long records,
      long uniqueEvents,
      long duplicates,
      long lateEvents,
      Map<RejectReason, Long> malformed) {}

  private final List<Run> finished;
  private final List<Path> running;

  private GeneratorRuns(List<Run> finished, List<Path> running) {
    this.finished = finished;
    this.running = running;
  }

  static GeneratorRuns in(Path generatorDir) {
    List<Path> dirs = new ArrayList<>();
    if (Files.exists(generatorDir.resolve(CatalogFiles.TITLES_FILE))) {
      dirs.add(generatorDir);
    }
    if (Files.isDirectory(generatorDir)) {
      try (Stream<Path> children = Files.list(generatorDir)) {
        children
            .filter(d -> Files.exists(d.resolve(CatalogFiles.TITLES_FILE)))
            .sorted()
            .forEach(dirs::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + generatorDir, e);
      }
    }
    List<Run> finished = new ArrayList<>();
    List<Path> running = new ArrayList<>();
    for (Path dir : dirs) {
      Path summary = dir.resolve("summary.json");
      if (Files.exists(summary)) {
        finished.add(read(dir, summary));
      } else {
        running.add(dir);
      }
    }
    return new GeneratorRuns(finished, running);
  }

  private static Run read(Path dir, Path summary) {
    try {
      JsonNode s = JSON.readTree(summary.toFile());
      Map<RejectReason, Long> malformed = new EnumMap<>(RejectReason.class);
      s.path("malformed_by_kind")
          .fields()
          .forEachRemaining(
              kind -> {
                if (kind.getValue().asLong() > 0) {
                  malformed.merge(
                      RejectReason.valueOf(kind.getKey().toUpperCase(Locale.ROOT)),
                      kind.getValue().asLong(),
                      Long::sum);
                }
              });
      return new Run(
          dir,
          s.path("complete").asBoolean(),
          s.path("records").asLong(),
          s.path("unique_events").asLong(),
          s.path("duplicates").asLong(),
          s.path("late_events").asLong(),
          malformed);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + summary, e);
    }
  }

  List<Run> finished() {
    return finished;
  }

  /** Run folders with a catalog but no summary yet: the generator is still writing them. */
  List<Path> running() {
    return running;
  }

  long records() {
    return finished.stream().mapToLong(Run::records).sum();
  }

  long uniqueEvents() {
    return finished.stream().mapToLong(Run::uniqueEvents).sum();
  }

  long duplicates() {
    return finished.stream().mapToLong(Run::duplicates).sum();
  }

  Map<RejectReason, Long> malformed() {
    Map<RejectReason, Long> total = new EnumMap<>(RejectReason.class);
    finished.forEach(r -> r.malformed().forEach((k, v) -> total.merge(k, v, Long::sum)));
    return total;
  }

  List<ViewingEvent> truth() {
    List<ViewingEvent> events = new ArrayList<>();
    for (Run run : finished) {
      try (GroundTruthReader reader = GroundTruthReader.open(run.dir().resolve("truth.csv"))) {
        reader.forEach(events::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the ground truth in " + run.dir(), e);
      }
    }
    return events;
  }

  /** The title catalog; every run must have written the same one. */
  List<Title> titles() {
    List<Title> titles = null;
    for (Run run : finished) {
      List<Title> these = readTitles(run.dir());
      if (titles != null && !titles.equals(these)) {
        throw new IllegalStateException(
            "the generator runs in "
                + finished.get(0).dir()
                + " and "
                + run.dir()
                + " have different title catalogs: give every run the same --seed"
                + " (or --catalog-seed)");
      }
      titles = these;
    }
    return titles == null ? List.of() : titles;
  }

  private static List<Title> readTitles(Path dir) {
    try {
      return CatalogFiles.readTitles(dir.resolve(CatalogFiles.TITLES_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the titles in " + dir, e);
    }
  }
}
