package org.keystonesandbox.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class UserStateSerializerTest {
  private final UserStateSerializer serializer = UserStateSerializer.INSTANCE;

  /** Two sessions (one closed, re-emitted, with a non-ASCII title) and ids of both kinds. */
  private static UserState aUser() {
    UserState user = new UserState();
    SessionEvent first =
        new SessionEvent("u-1", "0b9e2a6c-1f4d-4c3e-9a57-2d8f6e1b3c40", "t-1", 10, 5, 0, 1);
    SessionEvent second = new SessionEvent("u-1", "not-a-uuid", "tïtle-2", 20, 7, 0, 2);
    SessionEvent later = new SessionEvent("u-1", "e-3", "t-1", 10_000_000, 1, 1, 3);
    SortedSessions.sessionFor(user, first, 1_000).add(first, false);
    SortedSessions.sessionFor(user, second, 1_000).add(second, true);
    SortedSessions.sessionFor(user, later, 1_000).add(later, false);
    user.sessions[0].closed = true;
    user.sessions[0].revision = 2;
    user.sessions[0].visibleStarts = new long[] {10, 12};
    user.seen.put(first, first.eventTs);
    user.seen.put(second, second.eventTs);
    user.seen.put(later, later.eventTs);
    user.nextSweep = 99;
    user.wakeAt = 42;
    return user;
  }

  @Test
  void aUsersSessionsAndRememberedIdsComeBackExactly() throws IOException {
    UserState sent = aUser();
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer.serialize(sent, out);
    UserState received = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

    assertThat(received).usingRecursiveComparison().isEqualTo(sent);
    SessionEvent copy = new SessionEvent("u-1", "not-a-uuid", "t-9", 20, 7, 0, 9);
    assertThat(received.seen.timeOf(copy)).isEqualTo(20);
  }

  @Test
  void aCopyIsDeepSoChangingItLeavesTheOriginalAlone() throws IOException {
    UserState original = aUser();
    UserState copy = serializer.copy(original);
    assertThat(copy).usingRecursiveComparison().isEqualTo(original);

    SessionEvent more = new SessionEvent("u-1", "e-4", "t-5", 30, 3, 0, 4);
    SortedSessions.sessionFor(copy, more, 1_000).add(more, false);
    copy.seen.put(more, more.eventTs);
    copy.seen.dropOlderThan(15);

    assertThat(original).usingRecursiveComparison().isEqualTo(aUser());
  }

  @Test
  void anEmptyUserRoundTrips() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(new UserState(), out);

    assertThat(serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
        .usingRecursiveComparison()
        .isEqualTo(new UserState());
  }
}
