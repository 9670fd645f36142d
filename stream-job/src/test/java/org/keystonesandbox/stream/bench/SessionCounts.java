package org.keystonesandbox.stream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.truth.GroundTruthReader;
import org.keystonesandbox.ingest.RunSummary;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.oracle.ReferenceSessions;
import org.keystonesandbox.stream.it.SessionLog;
import org.keystonesandbox.stream.it.TopicContents;
import org.keystonesandbox.stream.topology.SessionSettings;

/**
 * The sessions of the job's last run and of Flink SQL's last run side by side with the reference
 * sessions of the generator's ground truth: how many each committed, and how many of them equal a
 * reference session (user, start, end, events and watch time).
 */
final class SessionCounts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SessionCounts() {}

  /** A session without its titles, which the SQL job does not collect. */
  private record Figures(String userId, long start, long end, long events, long watchMs) {
    static Figures of(ReferenceSession s) {
      return new Figures(s.userId(), s.start(), s.end(), s.events(), s.watchMs());
    }
  }

  static void print(String bootstrap, RunSummary loaded, String jobRun, String sqlRun)
      throws IOException {
    List<ViewingEvent> truth = new ArrayList<>();
    try (GroundTruthReader reader = GroundTruthReader.open(loaded.truthFile())) {
      reader.forEach(truth::add);
    }
    Set<Figures> reference = new HashSet<>();
    for (ReferenceSession s : ReferenceSessions.of(truth, SessionSettings.DEFAULTS.gap())) {
      reference.add(Figures.of(s));
    }
    List<Figures> job = new ArrayList<>();
    for (ReferenceSession s :
        SessionLog.materialize(TopicContents.readCommitted(bootstrap, jobRun + "-sessions"))) {
      job.add(Figures.of(s));
    }
    List<Figures> sql = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record :
        TopicContents.readCommitted(bootstrap, sqlRun + "-sessions")) {
      JsonNode row = JSON.readTree(record.value());
      sql.add(
          new Figures(
              row.get("user_id").asText(),
              row.get("session_start").asLong(),
              row.get("session_end").asLong(),
              row.get("events").asLong(),
              row.get("watch_ms").asLong()));
    }
    System.out.printf(
        Locale.ROOT,
        "sessions: reference %s; stream job %s; Flink SQL %s. The generator sent %,d late"
            + " events: Flink SQL drops an event behind its watermark, the job updates its"
            + " session within the allowed lateness and sends later ones aside%n",
        describe(reference, reference),
        describe(job, reference),
        describe(sql, reference),
        loaded.lateEvents());
  }

  private static String describe(Collection<Figures> sessions, Set<Figures> reference) {
    return String.format(
        Locale.ROOT,
        "%,d of %,d events (%,d equal a reference session)",
        sessions.size(),
        sessions.stream().mapToLong(Figures::events).sum(),
        sessions.stream().filter(reference::contains).count());
  }
}
