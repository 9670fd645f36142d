package org.keystonesandbox.sandbox.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.keystonesandbox.events.names.PipelineNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lake's tables as their Iceberg metadata files describe them, read straight from the warehouse
 * folder (no engine, no catalog): the newest {@code metadata/*.metadata.json} of each table, both
 * as the file catalog names them ({@code v12.metadata.json}) and as the REST catalog does ({@code
 * 00012-<uuid>.metadata.json}).
 */
public final class LakeMetadata {
  private static final Logger LOG = LoggerFactory.getLogger(LakeMetadata.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VERSION = Pattern.compile("^v?(\\d+)[.-].*metadata\\.json$");

  /** A table's current snapshot. */
  public record TableState(
      String name,
      long snapshotId,
      Instant committedAt,
      String operation,
      long rows,
      int snapshots,
      Map<String, String> summary) {}

  private final Path tablesDir;

  /**
   * @param warehouse the warehouse folder
   * @param namespace the tables' namespace (a folder in the warehouse)
   */
  public LakeMetadata(Path warehouse, String namespace) {
    this.tablesDir = warehouse.resolve(namespace);
  }

  /** Every table that has a snapshot, in pipeline order. */
  public List<TableState> tables() {
    List<TableState> states = new ArrayList<>();
    for (String table : PipelineNames.TABLES) {
      read(table).ifPresent(states::add);
    }
    return states;
  }

  public Optional<TableState> read(String table) {
    return newestMetadata(tablesDir.resolve(table).resolve("metadata"))
        .flatMap(f -> parse(table, f));
  }

  /** The newest value of a snapshot summary key in the current snapshot's ancestry. */
  public Optional<String> latestMark(String table, String key) {
    Optional<Path> file = newestMetadata(tablesDir.resolve(table).resolve("metadata"));
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonNode meta = JSON.readTree(file.get().toFile());
      Map<Long, JsonNode> byId = new HashMap<>();
      meta.path("snapshots").forEach(s -> byId.put(s.path("snapshot-id").asLong(), s));
      JsonNode snapshot = byId.get(meta.path("current-snapshot-id").asLong());
      while (snapshot != null) {
        JsonNode value = snapshot.path("summary").get(key);
        if (value != null) {
          return Optional.of(value.asText());
        }
        snapshot =
            snapshot.has("parent-snapshot-id")
                ? byId.get(snapshot.path("parent-snapshot-id").asLong())
                : null;
      }
      return Optional.empty();
    } catch (IOException e) {
      LOG.debug("{} was replaced while read; the next poll reads the new one", file.get(), e);
      return Optional.empty();
    }
  }

  /** The Kafka offsets bronze committed with its rows, by partition (empty if none yet). */
  public Map<Integer, Long> bronzeOffsets() {
    Map<Integer, Long> offsets = new TreeMap<>();
    latestMark(PipelineNames.BRONZE_EVENTS, PipelineNames.KAFKA_OFFSETS_MARK)
        .ifPresent(
            json -> {
              try {
                // {"<topic>": {"<partition>": <next offset>, ...}}, as bronze writes it
                JSON.readTree(json)
                    .elements()
                    .forEachRemaining(
                        partitions ->
                            partitions
                                .fields()
                                .forEachRemaining(
                                    e ->
                                        offsets.put(
                                            Integer.valueOf(e.getKey()), e.getValue().asLong())));
              } catch (IOException e) {
                throw new IllegalStateException("unreadable bronze offsets: " + json, e);
              }
            });
    return offsets;
  }

  /** Whether silver has read bronze's newest snapshot and gold silver's newest. */
  public boolean goldCaughtUp() {
    Optional<TableState> bronze = read(PipelineNames.BRONZE_EVENTS);
    Optional<TableState> silver = read(PipelineNames.SILVER_SESSIONS);
    if (bronze.isEmpty() || silver.isEmpty()) {
      return false;
    }
    boolean silverRead =
        latestMark(PipelineNames.SILVER_SESSIONS, PipelineNames.BRONZE_SNAPSHOT_MARK)
            .map(id -> Long.parseLong(id) == bronze.get().snapshotId())
            .orElse(false);
    boolean goldRead =
        latestMark(PipelineNames.GOLD_USER_DAILY, PipelineNames.SILVER_SNAPSHOT_MARK)
            .map(id -> Long.parseLong(id) == silver.get().snapshotId())
            .orElse(false);
    return silverRead && goldRead;
  }

  private static Optional<Path> newestMetadata(Path metadataDir) {
    if (!Files.isDirectory(metadataDir)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(metadataDir)) {
      Path newest = null;
      long newestVersion = -1;
      for (Path f : (Iterable<Path>) files::iterator) {
        Matcher m = VERSION.matcher(f.getFileName().toString());
        if (m.matches() && Long.parseLong(m.group(1)) > newestVersion) {
          newestVersion = Long.parseLong(m.group(1));
          newest = f;
        }
      }
      return Optional.ofNullable(newest);
    } catch (IOException e) {
      LOG.debug(
          "cannot list {} now; the table counts as not there until the next poll", metadataDir, e);
      return Optional.empty();
    }
  }

  private static Optional<TableState> parse(String table, Path file) {
    try {
      JsonNode meta = JSON.readTree(file.toFile());
      long current = meta.path("current-snapshot-id").asLong(-1);
      if (current < 0) {
        return Optional.empty();
      }
      JsonNode snapshots = meta.path("snapshots");
      for (JsonNode s : snapshots) {
        if (s.path("snapshot-id").asLong() == current) {
          Map<String, String> summary = new TreeMap<>();
          s.path("summary")
              .fields()
              .forEachRemaining(e -> summary.put(e.getKey(), e.getValue().asText()));
          long rows =
              Long.parseLong(summary.getOrDefault("total-records", "0"))
                  - Long.parseLong(summary.getOrDefault("total-position-deletes", "0"));
          return Optional.of(
              new TableState(
                  table,
                  current,
                  Instant.ofEpochMilli(s.path("timestamp-ms").asLong()),
                  summary.getOrDefault("operation", ""),
                  rows,
                  snapshots.size(),
                  summary));
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      LOG.debug("{} was replaced while read; the next poll reads the new one", file, e);
      return Optional.empty();
    }
  }
}
