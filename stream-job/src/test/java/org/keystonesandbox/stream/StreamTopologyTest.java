package org.keystonesandbox.stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.ViewingEventJson;
import org.keystonesandbox.stream.kafka.IncomingRecordDeserializer;
import org.keystonesandbox.stream.topology.IncomingRecord;
import org.keystonesandbox.stream.topology.LateEvent;
import org.keystonesandbox.stream.topology.SessionTopology;
import org.keystonesandbox.stream.topology.SessionUpdate;

/**
 * The whole job without a broker: the topology the job runs ({@link StreamJobPipeline#topology}),
 * fed from an in-memory events topic, its three outputs collected where the job has Kafka sinks.
 */
@ExtendWith(SharedMiniCluster.class)
class StreamTopologyTest {
  private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  private static final long MIN = 60_000;

  /** The Kafka timestamp of every record: the broker took them all three hours after T0. */
  private static final long RECORD_TIME = T0 + 180 * MIN;

  @Test
  @Timeout(120)
  void twelveRecordsOfBothContractVersionsBecomeSessionsALateEventAndDeadLetters()
      throws Exception {
    // The source below sends one record per checkpoint; with watermarks every 10 ms, each record
    // meets the watermark of all records before it, as in a slow topic.
    StreamJobSettings settings =
        StreamJobCommand.parseSettings(
            ("--session-gap 30m --allowed-lateness 30m --out-of-orderness 1m --idleness 0s"
                    + " --parallelism 1 --checkpoint-interval 100ms"
                    + " --flink-conf pipeline.auto-watermark-interval=10ms")
                .split(" "));
    List<byte[]> eventsTopic =
        List.of(
            event("a1", "ann", "t1", 0),
            event("a2", "ann", "t1", 10),
            event("a2", "ann", "t1", 10), // a duplicate: dropped
            v2(event("a3", "ann", "t2", 20), "3000"), // contract version 2: accepted the same
            event("a4", "ann", "t2", 120), // 100 minutes after a3: a new session
            event("b1", "bob", "t3", 125),
            // a client clock a year ahead, in both of its times: judged by the Kafka timestamp, a
            // dead letter; had it moved the watermark, everything after it would be late
            event("z1", "zed", "t1", 365 * 24 * 60),
            "{not json".getBytes(UTF_8), // a dead letter
            v2(event("a9", "ann", "t1", 126), "\"3000kbps\""), // a type changed: a dead letter
            event("a5", "ann", "t1", 130), // the watermark moves to 129 min - 1 ms
            event("b2", "bob", "t1", 30), // 99 min behind the watermark: late
            event("a6", "ann", "t3", 105)); // 24 min behind: in time, moves a4's session start

    StreamExecutionEnvironment env =
        SharedMiniCluster.environment(StreamJobPipeline.flinkConfiguration(settings.runtime()));
    SessionTopology.Outputs outputs =
        StreamJobPipeline.topology(env, inMemory(eventsTopic), settings);
    CloseableIterator<SessionUpdate> sessions = outputs.sessions().collectAsync();
    CloseableIterator<LateEvent> lateEvents = outputs.lateEvents().collectAsync();
    CloseableIterator<IncomingRecord> deadLetters = outputs.rejected().collectAsync();
    JobClient job = env.executeAsync("stream-topology-test");

    SessionUpdate annLater = session("ann", 105, 130, 3, "t1", "t2", "t3");
    annLater.lateEvents = 1; // a6 arrived behind the watermark
    assertThat(all(sessions))
        .containsExactlyInAnyOrder(
            session("ann", 0, 20, 3, "t1", "t2"), annLater, session("bob", 125, 125, 1, "t3"));
    assertThat(all(lateEvents))
        .extracting(late -> late.eventId, late -> late.watermark - late.eventTs)
        .containsExactly(tuple("b2", 99 * MIN - 1));
    assertThat(all(deadLetters))
        .extracting(
            record -> record.rejectReason,
            record -> record.rejectReason.equals("BAD_JSON") ? "" : record.rejectDetail,
            record -> new String(record.rawValue, UTF_8).substring(0, 9))
        .containsExactly(
            tuple(
                "FUTURE_TIMESTAMP",
                "event_ts 2027-01-01T00:00:00Z after the record's Kafka timestamp"
                    + " 2026-01-01T03:00:00Z",
                "{\"schema_"),
            tuple("BAD_JSON", "", "{not json"),
            tuple("BAD_VALUE", "bitrate_kbps is not a 64-bit integer", "{\"schema_"));
    JobExecutionResult result = job.getJobExecutionResult().get();
    assertThat(ProgressLine.totals(result.getAllAccumulatorResults()))
        .isEqualTo(
            "stream-job finished: parsed 9 | malformed 3 | duplicates dropped 1 | late 1"
                + " | sessions out 3 (retractions 0)");
  }

  /** A record of the events topic as the generator writes it: a minute of play at {@code min}. */
  private static byte[] event(String id, String user, String title, long min) {
    long ts = T0 + min * MIN;
    return ViewingEventJson.newEncoder()
        .encode(
            new ViewingEvent(
                id, user, user + "-play", title, "tv", "DE", EventType.HEARTBEAT, 0, MIN, ts, ts));
  }

  /** The record as a contract-version-2 client writes it, with {@code bitrate} as JSON text. */
  private static byte[] v2(byte[] v1Record, String bitrate) {
    String json = new String(v1Record, UTF_8);
    return json.replace("\"schema_version\":1,", "\"schema_version\":2,")
        .replace("}", ",\"bitrate_kbps\":" + bitrate + "}")
        .getBytes(UTF_8);
  }

  /**
   * The records, read as the Kafka source reads them, one per checkpoint, so that periodic
   * watermarks fall between them.
   */
  private static DataGeneratorSource<IncomingRecord> inMemory(List<byte[]> topic) {
    GeneratorFunction<Long, IncomingRecord> read =
        offset ->
            IncomingRecordDeserializer.read(
                0, offset, RECORD_TIME, null, topic.get(offset.intValue()));
    return new DataGeneratorSource<>(
        read,
        topic.size(),
        RateLimiterStrategy.perCheckpoint(1),
        TypeInformation.of(IncomingRecord.class));
  }

  private static SessionUpdate session(
      String user, long startMin, long endMin, int events, String... titles) {
    SessionUpdate session = new SessionUpdate();
    session.userId = user;
    session.sessionStart = T0 + startMin * MIN;
    session.sessionEnd = T0 + endMin * MIN;
    session.events = events;
    session.watchMs = events * MIN;
    session.titles = titles;
    session.revision = 1;
    return session;
  }

  private static <T> List<T> all(CloseableIterator<T> output) throws Exception {
    List<T> records = new ArrayList<>();
    try (output) {
      output.forEachRemaining(records::add);
    }
    return records;
  }
}
