package org.keystonesandbox.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.keystonesandbox.oracle.ReferenceSession;

/**
 * The stream job's outputs as their consumers see them: the sessions topic applied as an upsert log
 * (the latest record per user and session start wins, a retraction removes it), and the late-events
 * topic. The JSON is the stream-job README's.
 */
public final class StreamOutputs {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A copy of an event the stream job found later than its allowed lateness, and where it was. */
  public record LateEvent(
      String eventId, String userId, long eventTs, long latenessMs, int partition, long offset) {}

  private StreamOutputs() {}

  public static List<ReferenceSession> sessions(List<ConsumerRecord<byte[], byte[]>> records) {
    SessionLog log = new SessionLog();
    log.apply(records);
    return log.current();
  }

  /**
   * The sessions topic applied as an upsert log, record after record, so that a reader can apply
   * what was added since its last read.
   */
  public static final class SessionLog {
    private record Key(String userId, long start) {}

    private final Map<Key, ReferenceSession> current = new LinkedHashMap<>();

    public void apply(List<ConsumerRecord<byte[], byte[]>> records) {
      for (ConsumerRecord<byte[], byte[]> record : records) {
        JsonNode s = parse(record.value());
        Key key = new Key(s.path("user_id").asText(), s.path("session_start").asLong());
        if (s.path("retracted").asBoolean()) {
          current.remove(key);
          continue;
        }
        List<String> titles = new ArrayList<>();
        s.path("titles").forEach(t -> titles.add(t.asText()));
        current.put(
            key,
            new ReferenceSession(
                key.userId(),
                key.start(),
                s.path("session_end").asLong(),
                s.path("events").asInt(),
                s.path("watch_ms").asLong(),
                List.copyOf(titles)));
      }
    }

    public void clear() {
      current.clear();
    }

    /** The sessions as they stand, by user and start. */
    public List<ReferenceSession> current() {
      List<ReferenceSession> sessions = new ArrayList<>(current.values());
      sessions.sort(
          Comparator.comparing(ReferenceSession::userId)
              .thenComparingLong(ReferenceSession::start));
      return sessions;
    }
  }

  /** One record of the sessions topic: which revision of which session, and Kafka's timestamp. */
  public record SessionVersion(
      String userId, long start, int revision, boolean retracted, long timestamp) {}

  public static List<SessionVersion> sessionVersions(List<ConsumerRecord<byte[], byte[]>> records) {
    List<SessionVersion> versions = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      JsonNode s = parse(record.value());
      versions.add(
          new SessionVersion(
              s.path("user_id").asText(),
              s.path("session_start").asLong(),
              s.path("revision").asInt(),
              s.path("retracted").asBoolean(),
              record.timestamp()));
    }
    return versions;
  }

  public static List<LateEvent> lateEvents(List<ConsumerRecord<byte[], byte[]>> records) {
    List<LateEvent> late = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      JsonNode e = parse(record.value());
      late.add(
          new LateEvent(
              e.path("event_id").asText(),
              e.path("user_id").asText(),
              e.path("event_ts").asLong(),
              e.path("lateness_ms").asLong(),
              e.path("source_partition").asInt(),
              e.path("source_offset").asLong()));
    }
    return late;
  }

  private static JsonNode parse(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("a record of the stream job's output is not JSON", e);
    }
  }
}
