package org.keystonesandbox.stream.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.keystonesandbox.stream.topology.LateEvent;
import org.keystonesandbox.stream.topology.SessionUpdate;

/**
 * The JSON of the sessions and late-events topics (times in epoch milliseconds, snake_case names as
 * in the events topic). Readers of those topics (tests, the verifier) use {@link #readSession} and
 * {@link #readLateEvent}.
 */
public final class OutputJson {
  public static final int SCHEMA_VERSION = 1;
  private static final JsonFactory JSON = new JsonFactory();

  private OutputJson() {}

  public static byte[] write(SessionUpdate s) {
    return generate(
        g -> {
          g.writeNumberField("schema_version", SCHEMA_VERSION);
          g.writeStringField("user_id", s.userId);
          g.writeNumberField("session_start", s.sessionStart);
          g.writeNumberField("session_end", s.sessionEnd);
          g.writeNumberField("events", s.events);
          g.writeNumberField("watch_ms", s.watchMs);
          g.writeArrayFieldStart("titles");
          for (String title : s.titles) {
            g.writeString(title);
          }
          g.writeEndArray();
          g.writeNumberField("late_events", s.lateEvents);
          g.writeBooleanField("updated_by_late", s.updatedByLate);
          g.writeNumberField("revision", s.revision);
          g.writeBooleanField("retracted", s.retracted);
        });
  }

  public static byte[] write(LateEvent e) {
    return generate(
        g -> {
          g.writeNumberField("schema_version", SCHEMA_VERSION);
          g.writeStringField("event_id", e.eventId);
          g.writeStringField("user_id", e.userId);
          g.writeStringField("title_id", e.titleId);
          g.writeNumberField("event_ts", e.eventTs);
          g.writeNumberField("play_ms", e.playMs);
          g.writeNumberField("watermark", e.watermark);
          g.writeNumberField("lateness_ms", e.watermark - e.eventTs);
          g.writeNumberField("source_partition", e.partition);
          g.writeNumberField("source_offset", e.offset);
        });
  }

  public static SessionUpdate readSession(byte[] json) {
    SessionUpdate s = new SessionUpdate();
    read(
        json,
        (name, p) -> {
          switch (name) {
            case "user_id" -> s.userId = p.getText();
            case "session_start" -> s.sessionStart = p.getLongValue();
            case "session_end" -> s.sessionEnd = p.getLongValue();
            case "events" -> s.events = p.getIntValue();
            case "watch_ms" -> s.watchMs = p.getLongValue();
            case "titles" -> {
              List<String> titles = new ArrayList<>();
              while (p.nextToken() != JsonToken.END_ARRAY) {
                titles.add(p.getText());
              }
              s.titles = titles.toArray(new String[0]);
            }
            case "late_events" -> s.lateEvents = p.getIntValue();
            case "updated_by_late" -> s.updatedByLate = p.getBooleanValue();
            case "revision" -> s.revision = p.getIntValue();
            case "retracted" -> s.retracted = p.getBooleanValue();
            default -> p.skipChildren();
          }
        });
    return s;
  }

  public static LateEvent readLateEvent(byte[] json) {
    LateEvent e = new LateEvent();
    read(
        json,
        (name, p) -> {
          switch (name) {
            case "event_id" -> e.eventId = p.getText();
            case "user_id" -> e.userId = p.getText();
            case "title_id" -> e.titleId = p.getText();
            case "event_ts" -> e.eventTs = p.getLongValue();
            case "play_ms" -> e.playMs = p.getLongValue();
            case "watermark" -> e.watermark = p.getLongValue();
            case "source_partition" -> e.partition = p.getIntValue();
            case "source_offset" -> e.offset = p.getLongValue();
            default -> p.skipChildren();
          }
        });
    return e;
  }

  private interface Fields {
    void write(JsonGenerator generator) throws IOException;
  }

  private interface FieldReader {
    void read(String name, JsonParser parser) throws IOException;
  }

  private static byte[] generate(Fields fields) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(bytes)) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void read(byte[] json, FieldReader reader) {
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        reader.read(name, p);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable JSON: " + e.getMessage(), e);
    }
  }
}
