package org.keystonesandbox.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.keystonesandbox.cli.AtomicFiles;
import org.keystonesandbox.ingest.delivery.Malformation;

/**
 * What a run did: written to {@code summary.json} for the verifier and printed at the end.
 *
 * @param lastEventTime the latest event time among the unique events
 * @param simEnd the simulated clock at the last record sent: later than {@code lastEventTime} by
 *     the lateness of the last late copies
 * @param complete every record was acknowledged by Kafka and the run was not interrupted: the topic
 *     holds exactly the ground truth plus the duplicates and malformed records counted here
 * @param failedSends records Kafka did not acknowledge (their events are in the truth file)
 */
public record RunSummary(
    String topic,
    int partitions,
    long seed,
    Instant simStart,
    Instant lastEventTime,
    Instant simEnd,
    long records,
    long uniqueEvents,
    long duplicates,
    long lateEvents,
    long malformed,
    Map<Malformation, Long> malformedByKind,
    long bytes,
    long failedSends,
    String endedBy,
    boolean complete,
    Duration elapsed,
    Path truthFile) {

  public double recordsPerSecond() {
    return records / Math.max(1e-9, elapsed.toNanos() / 1e9);
  }

  /** Writes the summary atomically: it marks the run complete, so never half of it. */
  public void writeJson(Path file) throws IOException {
    AtomicFiles.write(file, this::writeJsonTo);
  }

  private void writeJsonTo(OutputStream out) throws IOException {
    try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
      json.useDefaultPrettyPrinter();
      json.writeStartObject();
      json.writeStringField("topic", topic);
      json.writeNumberField("partitions", partitions);
      json.writeNumberField("seed", seed);
      json.writeStringField("sim_start", simStart.toString());
      json.writeStringField("last_event_time", lastEventTime.toString());
      json.writeStringField("sim_end", simEnd.toString());
      json.writeNumberField("records", records);
      json.writeNumberField("unique_events", uniqueEvents);
      json.writeNumberField("duplicates", duplicates);
      json.writeNumberField("late_events", lateEvents);
      json.writeNumberField("malformed", malformed);
      json.writeObjectFieldStart("malformed_by_kind");
      for (Malformation kind : Malformation.values()) {
        json.writeNumberField(
            kind.name().toLowerCase(Locale.ROOT), malformedByKind.getOrDefault(kind, 0L));
      }
      json.writeEndObject();
      json.writeNumberField("value_bytes", bytes);
      json.writeNumberField("failed_sends", failedSends);
      json.writeStringField("ended_by", endedBy);
      json.writeBooleanField("complete", complete);
      json.writeNumberField("elapsed_ms", elapsed.toMillis());
      json.writeNumberField("records_per_second", Math.round(recordsPerSecond()));
      json.writeStringField("truth_file", truthFile.getFileName().toString());
      json.writeEndObject();
    }
  }

  /** The closing report, a few lines for a terminal. */
  public String toText() {
    return String.format(
        Locale.ROOT,
        "%s: %,d records to '%s' (%d partitions) in %.1fs, %,.0f records/s, %.1f MB%n"
            + "  unique events %,d (late %,d) + duplicates %,d + malformed %,d %s%n"
            + "  event time %s .. %s (clock at the last late copy: %s)%n"
            + "  ground truth in %s%n"
            + "%s",
        complete ? "done" : "INCOMPLETE",
        records,
        topic,
        partitions,
        elapsed.toMillis() / 1000.0,
        recordsPerSecond(),
        bytes / 1e6,
        uniqueEvents,
        lateEvents,
        duplicates,
        malformed,
        malformedByKind,
        simStart,
        lastEventTime,
        simEnd,
        truthFile,
        complete
            ? ""
            : "  ended by "
                + endedBy
                + "; "
                + failedSends
                + " records not acknowledged by Kafka\n");
  }
}
