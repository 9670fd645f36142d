package org.keystonesandbox.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.oracle.ReferenceSession;

class StreamOutputsTest {
  private static ConsumerRecord<byte[], byte[]> session(
      String user, long start, int events, boolean retracted) {
    String json =
        String.format(
            "{\"user_id\":\"%s\",\"session_start\":%d,\"session_end\":%d,\"events\":%d,"
                + "\"watch_ms\":%d,\"titles\":[\"t-1\"],\"retracted\":%b}",
            user, start, start + 60_000, events, events * 1000L, retracted);
    return new ConsumerRecord<>(
        "sessions", 0, 0L, user.getBytes(StandardCharsets.UTF_8), json.getBytes());
  }

  @Test
  void theSessionLogAppliedInIncrementsEndsAsTheWholeTopicAppliedAtOnce() {
    List<ConsumerRecord<byte[], byte[]>> first =
        List.of(session("u-1", 0, 2, false), session("u-2", 0, 1, false));
    List<ConsumerRecord<byte[], byte[]>> second =
        List.of(session("u-1", 0, 3, false), session("u-2", 0, 1, true));
    StreamOutputs.SessionLog log = new StreamOutputs.SessionLog();

    log.apply(first);
    assertThat(log.current()).extracting(ReferenceSession::userId).containsExactly("u-1", "u-2");
    log.apply(second);

    List<ReferenceSession> whole =
        StreamOutputs.sessions(List.of(first.get(0), first.get(1), second.get(0), second.get(1)));
    assertThat(log.current()).isEqualTo(whole);
    assertThat(whole).singleElement().extracting(ReferenceSession::events).isEqualTo(3);
  }
}
