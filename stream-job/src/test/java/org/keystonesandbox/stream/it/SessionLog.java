package org.keystonesandbox.stream.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.stream.kafka.OutputJson;
import org.keystonesandbox.stream.topology.SessionUpdate;

/**
 * The sessions topic applied the way its consumers apply it: the latest record per (user, session
 * start) wins, a retraction removes its key. Checks on the way that the log itself is clean: each
 * (user, start, revision) written once, no retraction of a key that is not there.
 */
public final class SessionLog {
  private SessionLog() {}

  record Key(String userId, long start) {}

  public static List<ReferenceSession> materialize(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<Key, SessionUpdate> current = new LinkedHashMap<>();
    Set<String> written = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      SessionUpdate update = OutputJson.readSession(record.value());
      assertThat(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo(update.userId);
      String identity =
          update.userId
              + "/"
              + update.sessionStart
              + "/"
              + update.revision
              + "/"
              + update.retracted;
      assertThat(written.add(identity)).as("written once: %s", identity).isTrue();
      Key key = new Key(update.userId, update.sessionStart);
      if (update.retracted) {
        assertThat(current.remove(key)).as("retracted key was present: %s", key).isNotNull();
      } else {
        SessionUpdate previous = current.put(key, update);
        if (previous != null) {
          assertThat(update.revision).isGreaterThan(previous.revision);
        }
      }
    }
    List<ReferenceSession> sessions = new ArrayList<>();
    for (SessionUpdate s : current.values()) {
      sessions.add(
          new ReferenceSession(
              s.userId, s.sessionStart, s.sessionEnd, s.events, s.watchMs, List.of(s.titles)));
    }
    sessions.sort(
        Comparator.comparing(ReferenceSession::userId).thenComparingLong(ReferenceSession::start));
    return sessions;
  }
}
