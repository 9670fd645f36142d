package org.keystonesandbox.ingest.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.keystonesandbox.events.ViewingEventJson;

/** Turns outgoing records into Kafka values: the event's JSON, or its corrupted form. */
public final class RecordEncoder {

  private static final long YEAR_MS = Duration.ofDays(365).toMillis();
  private static final List<String> FIELDS = ViewingEventJson.REQUIRED_FIELDS;

  private final ViewingEventJson.Encoder json = ViewingEventJson.newEncoder();

  public byte[] value(OutgoingRecord record) {
    if (record.kind() != RecordKind.MALFORMED) {
      return json.encode(record.event());
    }
    long detail = record.corruption() & Long.MAX_VALUE;
    return switch (record.malformation()) {
      case BAD_JSON -> {
        byte[] whole = json.encode(record.event());
        yield Arrays.copyOf(whole, 1 + (int) (detail % (whole.length - 1)));
      }
      case MISSING_FIELD ->
          json.encodeAltered(
              record.event(), FIELDS.get((int) (detail % FIELDS.size())), record.event().eventTs());
      case FUTURE_TIMESTAMP ->
          json.encodeAltered(
              record.event(), null, record.event().sentTs() + (1 + detail % 30) * YEAR_MS);
    };
  }

  public static byte[] key(OutgoingRecord record) {
    return record.event().userId().getBytes(StandardCharsets.UTF_8);
  }
}
