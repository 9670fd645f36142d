package org.keystonesandbox.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.keystonesandbox.verify.StreamOutputs.LateEvent;
import org.keystonesandbox.verify.StreamOutputs.SessionLog;
import org.keystonesandbox.verify.TopicFollower.Increment;

/**
 * The stream job's outputs as a {@code read_committed} consumer sees them, kept across the
 * verifier's checks: each check reads only what the job committed since the previous one.
 */
final class FollowedStreamOutputs implements AutoCloseable {
  private static final String READ_COMMITTED = "read_committed";

  private final KafkaContents kafka;
  private final String dlqTopic;
  private final String lateTopic;
  private final String sessionsTopic;
  private final TopicFollower dlq;
  private final TopicFollower late;
  private final TopicFollower sessions;

  private long deadLetters;
  private final List<LateEvent> lateEvents = new ArrayList<>();
  private final SessionLog sessionLog = new SessionLog();

  FollowedStreamOutputs(
      KafkaContents kafka, String dlqTopic, String lateTopic, String sessionsTopic) {
    this.kafka = kafka;
    this.dlqTopic = dlqTopic;
    this.lateTopic = lateTopic;
    this.sessionsTopic = sessionsTopic;
    this.dlq = kafka.follow(dlqTopic, READ_COMMITTED);
    this.late = kafka.follow(lateTopic, READ_COMMITTED);
    this.sessions = kafka.follow(sessionsTopic, READ_COMMITTED);
  }

  /** Reads what was added since the last call. */
  void readNew() {
    Increment newDlq = dlq.readNew(partitions(dlqTopic));
    deadLetters = (newDlq.fromStart() ? 0 : deadLetters) + newDlq.records().size();

    Increment newLate = late.readNew(partitions(lateTopic));
    if (newLate.fromStart()) {
      lateEvents.clear();
    }
    lateEvents.addAll(StreamOutputs.lateEvents(newLate.records()));

    Increment newSessions = sessions.readNew(partitions(sessionsTopic));
    if (newSessions.fromStart()) {
      sessionLog.clear();
    }
    sessionLog.apply(newSessions.records());
  }

  private Set<Integer> partitions(String topic) {
    return kafka.endOffsets(topic).keySet();
  }

  long deadLetters() {
    return deadLetters;
  }

  List<LateEvent> lateEvents() {
    return List.copyOf(lateEvents);
  }

  List<org.keystonesandbox.oracle.ReferenceSession> sessions() {
    return sessionLog.current();
  }

  @Override
  public void close() {
    dlq.close();
    late.close();
    sessions.close();
  }
}
