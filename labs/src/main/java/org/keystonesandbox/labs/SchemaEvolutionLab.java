package org.keystonesandbox.labs;

import static org.keystonesandbox.events.names.PipelineNames.BRONZE_EVENTS;
import static org.keystonesandbox.events.names.PipelineNames.BRONZE_QUARANTINE;
import static org.keystonesandbox.events.names.PipelineNames.SILVER_EVENTS;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.spark.sql.Row;
import org.keystonesandbox.batch.lake.SnapshotMarks;
import org.keystonesandbox.batch.lake.Tables;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.ViewingEventJson;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.verify.StreamOutputs;

/**
 * The event contract gains version 2 (an optional {@code bitrate_kbps}) while the pipeline runs:
 * the tables gain the column with {@code ADD COLUMN} (a new schema id, no data file rewritten, old
 * rows read null), a mix of version-1 and version-2 clients flows through the stream job, bronze
 * and silver exactly, and records whose field changed type go to the dead letters and quarantine
 * with their reason.
 */
final class SchemaEvolutionLab implements Lab {
  private static final String BITRATE = ViewingEventJson.BITRATE_KBPS;
  private static final String NOT_AN_INTEGER = " is not a 64-bit integer";

  @Override
  public String name() {
    return "schema-evolution";
  }

  @Override
  public String summary() {
    return "contract v2 adds bitrate_kbps: ADD COLUMN rewrites nothing, v1 and v2 flow, a type"
        + " change is quarantined";
  }

  @Override
  public void run(LabRun run) throws Exception {
    LabReport report = run.report();
    String bronze = run.table(BRONZE_EVENTS);
    String silver = run.table(SILVER_EVENTS);

    report.step("Version-1 clients only: the generator writes 3,000 events; the chain runs");
    Tables.createAll(run.spark(), run.lake());
    RunSummary first =
        run.produce(
            "--count",
            "3000",
            "--rate",
            "40",
            "--users",
            "300",
            "--seed",
            "31",
            "--late-rate",
            "0",
            "--malformed-rate",
            "0");
    run.chain();
    Table bronzeTable = SnapshotMarks.load(run.spark(), bronze);
    Table silverTable = SnapshotMarks.load(run.spark(), silver);
    int bronzeSchemaBefore = bronzeTable.schema().schemaId();
    int silverSchemaBefore = silverTable.schema().schemaId();
    Set<String> bronzeFilesBefore = LakeFigures.dataFilePaths(bronzeTable);
    Set<String> silverFilesBefore = LakeFigures.dataFilePaths(silverTable);

    report.step("The tables gain the column: a change of metadata only");
    for (String table : List.of(bronze, silver)) {
      String add = "ALTER TABLE " + table + " ADD COLUMN " + BITRATE + " INT";
      run.spark().sql(add);
      report.query(add);
    }
    bronzeTable.refresh();
    silverTable.refresh();
    long bronzeRowsBefore = run.spark().table(bronze).count();
    long nullsAfterAdd =
        run.spark().table(bronze).where(BITRATE + " IS NULL").count()
            + run.spark().table(silver).where(BITRATE + " IS NULL").count();
    long silverRowsBefore = run.spark().table(silver).count();
    report.table(
        List.of("table", "schema id before", "schema id after", "data files", "rewritten"),
        List.of(
            List.of(
                BRONZE_EVENTS,
                bronzeSchemaBefore,
                bronzeTable.schema().schemaId(),
                bronzeFilesBefore.size(),
                rewritten(bronzeFilesBefore, LakeFigures.dataFilePaths(bronzeTable))),
            List.of(
                SILVER_EVENTS,
                silverSchemaBefore,
                silverTable.schema().schemaId(),
                silverFilesBefore.size(),
                rewritten(silverFilesBefore, LakeFigures.dataFilePaths(silverTable)))));
    report.query(
        "SELECT timestamp, latest_schema_id, latest_snapshot_id FROM "
            + bronze
            + ".metadata_log_entries ORDER BY timestamp");
    report.query("SELECT count(*), count(" + BITRATE + ") FROM " + bronze);
    report.check(
        "each schema id grew and no data file was rewritten",
        bronzeTable.schema().schemaId() > bronzeSchemaBefore
            && silverTable.schema().schemaId() > silverSchemaBefore
            && LakeFigures.dataFilePaths(bronzeTable).equals(bronzeFilesBefore)
            && LakeFigures.dataFilePaths(silverTable).equals(silverFilesBefore),
        bronzeFilesBefore.size() + silverFilesBefore.size() + " files unchanged");
    report.check(
        "every row written before the column existed reads null",
        nullsAfterAdd == bronzeRowsBefore + silverRowsBefore,
        nullsAfterAdd + " of " + (bronzeRowsBefore + silverRowsBefore) + " rows");

    report.step(
        "Half the users upgrade to version 2 (--v2-share 0.5): 3,000 more events; and a client"
            + " bug changes two fields' types in 4 records; the chain runs");
    run.produce(
        "--count",
        "3000",
        "--rate",
        "40",
        "--users",
        "300",
        "--seed",
        "32",
        "--late-rate",
        "0",
        "--malformed-rate",
        "0",
        "--v2-share",
        "0.5",
        "--start",
        first.lastEventTime().plus(Duration.ofHours(1)).toString());
    List<ViewingEvent> truth = run.truth();
    ViewingEvent sample =
        truth.stream().filter(e -> e.bitrateKbps() != null).findFirst().orElseThrow();
    run.sendMalformed(sample.userId(), incompatible(sample));
    run.chain();

    List<List<Object>> byVersion = new ArrayList<>();
    Map<Integer, long[]> bronzeByVersion = new TreeMap<>();
    for (Row r :
        run.spark()
            .sql(
                "SELECT int(get_json_object(payload, '$.schema_version')) AS version,"
                    + " count(*), count(DISTINCT event_id), count("
                    + BITRATE
                    + ") FROM "
                    + bronze
                    + " GROUP BY 1")
            .collectAsList()) {
      bronzeByVersion.put(r.getInt(0), new long[] {r.getLong(1), r.getLong(2), r.getLong(3)});
    }
    boolean versionsLand = true;
    for (int version : List.of(ViewingEvent.SCHEMA_V1, ViewingEvent.SCHEMA_V2)) {
      long sent = truth.stream().filter(e -> e.schemaVersion() == version).count();
      long[] inBronze = bronzeByVersion.getOrDefault(version, new long[3]);
      byVersion.add(List.of(version, sent, inBronze[0], inBronze[1], inBronze[2]));
      versionsLand &= inBronze[1] == sent;
    }
    report.table(
        List.of(
            "schema_version",
            "unique events sent",
            "bronze rows",
            "bronze event ids",
            "bronze rows with bitrate"),
        byVersion);
    report.check(
        "every event of both versions reached bronze (rows beyond them are re-sent copies)",
        versionsLand && bronzeByVersion.keySet().equals(Set.of(1, 2)),
        "versions " + bronzeByVersion.keySet());

    Map<String, long[]> expected = new TreeMap<>();
    for (ViewingEvent e : truth) {
      if (e.bitrateKbps() != null) {
        long[] figures = expected.computeIfAbsent(e.device(), d -> new long[2]);
        figures[0]++;
        figures[1] += e.bitrateKbps();
      }
    }
    String byDevice =
        "SELECT device, count("
            + BITRATE
            + ") AS v2_events, sum("
            + BITRATE
            + ") AS bitrate_sum, round(avg("
            + BITRATE
            + ")) AS avg_kbps FROM "
            + silver
            + " GROUP BY device ORDER BY device";
    Map<String, long[]> actual = new TreeMap<>();
    List<List<Object>> deviceRows = new ArrayList<>();
    for (Row r : run.spark().sql(byDevice).collectAsList()) {
      long count = r.getLong(1);
      long sum = r.isNullAt(2) ? 0 : r.getLong(2);
      if (count > 0) {
        actual.put(r.getString(0), new long[] {count, sum});
      }
      long[] oracle = expected.getOrDefault(r.getString(0), new long[2]);
      deviceRows.add(List.of(r.getString(0), count, sum, oracle[0], oracle[1]));
    }
    report.table(
        List.of("device", "silver v2 events", "silver bitrate sum", "oracle events", "oracle sum"),
        deviceRows);
    report.query(byDevice);
    report.check(
        "silver's bitrates per device equal the ground truth's, to the last kbit",
        sameFigures(expected, actual),
        expected.values().stream().mapToLong(f -> f[0]).sum() + " version-2 events");
    run.checkPipelineExact("across both versions");

    report.step("The records whose types changed: quarantined by bronze, dead letters of the job");
    Map<String, Long> quarantined = new TreeMap<>();
    String quarantine =
        "SELECT reject_reason, reject_detail, count(*) FROM "
            + run.table(BRONZE_QUARANTINE)
            + " GROUP BY 1, 2";
    for (Row r : run.spark().sql(quarantine).collectAsList()) {
      quarantined.put(r.getString(0) + ": " + r.getString(1), r.getLong(2));
    }
    report.query(quarantine);
    LabRun.StreamJobOutputs stream = run.streamJob("v1-v2");
    report.note(stream.totals());
    Map<String, Long> deadLetters = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> record : run.readCommitted(stream.deadLetterTopic())) {
      deadLetters.merge(
          LabRun.header(record, "reject.reason") + ": " + LabRun.header(record, "reject.detail"),
          1L,
          Long::sum);
    }
    List<List<Object>> rejectRows = new ArrayList<>();
    for (String reason : new java.util.TreeSet<>(List.of(badValue(BITRATE), badValue("play_ms")))) {
      rejectRows.add(
          List.of(
              reason, quarantined.getOrDefault(reason, 0L), deadLetters.getOrDefault(reason, 0L)));
    }
    report.table(List.of("reason", BRONZE_QUARANTINE, "dead-letter topic"), rejectRows);
    Map<String, Long> expectedRejects = Map.of(badValue(BITRATE), 2L, badValue("play_ms"), 2L);
    report.check(
        "bronze quarantined the 4 records and the stream job dead-lettered them, with their reason",
        quarantined.equals(expectedRejects) && deadLetters.equals(expectedRejects),
        quarantined.values().stream().mapToLong(Long::longValue).sum()
            + " quarantined, "
            + deadLetters.values().stream().mapToLong(Long::longValue).sum()
            + " dead letters");
    report.check(
        "the stream job's sessions over both versions equal the oracle",
        StreamOutputs.sessions(run.readCommitted(stream.sessionsTopic()))
            .equals(ReferenceSessions.of(truth, LabRun.GAP)),
        ReferenceSessions.of(truth, LabRun.GAP).size() + " sessions");
  }

  /** Four records of a buggy client: two send the bitrate as text, two the play time. */
  private static List<String> incompatible(ViewingEvent sample) {
    ViewingEventJson.Encoder encoder = ViewingEventJson.newEncoder();
    List<String> records = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ViewingEvent copy =
          new ViewingEvent(
              "incompatible-" + i,
              sample.userId(),
              sample.playbackId(),
              sample.titleId(),
              sample.device(),
              sample.country(),
              sample.eventType(),
              sample.positionMs(),
              sample.playMs(),
              sample.eventTs(),
              sample.sentTs(),
              sample.bitrateKbps());
      String json = new String(encoder.encode(copy), StandardCharsets.UTF_8);
      records.add(
          i < 2
              ? json.replaceFirst("\"" + BITRATE + "\":(\\d+)", "\"" + BITRATE + "\":\"$1kbps\"")
              : json.replaceFirst("\"play_ms\":(\\d+)", "\"play_ms\":\"$1ms\""));
    }
    return records;
  }

  private static String badValue(String field) {
    return "BAD_VALUE: " + field + NOT_AN_INTEGER;
  }

  private static int rewritten(Set<String> before, Set<String> after) {
    return (int) before.stream().filter(path -> !after.contains(path)).count();
  }

  private static boolean sameFigures(Map<String, long[]> a, Map<String, long[]> b) {
    return a.keySet().equals(b.keySet())
        && a.keySet().stream().allMatch(k -> java.util.Arrays.equals(a.get(k), b.get(k)));
  }
}
