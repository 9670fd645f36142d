package org.keystonesandbox.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.ViewingEvent;

class ReferenceSessionsTest {
  private static final Duration GAP = Duration.ofMinutes(30);
  private static final long MIN = 60_000;

  private static ViewingEvent event(String id, String user, String title, long ts, long playMs) {
    return new ViewingEvent(
        id, user, "p1", title, "tv", "US", EventType.HEARTBEAT, 0, playMs, ts, ts);
  }

  @Test
  void eventsExactlyOneGapApartStayInOneSessionAndOneMillisecondMoreSplitsThem() {
    List<ReferenceSession> sessions =
        ReferenceSessions.of(
            List.of(
                event("a", "u1", "t2", 30 * MIN, 500),
                event("b", "u1", "t1", 0, 100),
                event("c", "u1", "t1", 60 * MIN + 1, 7),
                event("d", "u2", "t9", 5, 1)),
            GAP);

    assertThat(sessions)
        .containsExactly(
            new ReferenceSession("u1", 0, 30 * MIN, 2, 600, List.of("t1", "t2")),
            new ReferenceSession("u1", 60 * MIN + 1, 60 * MIN + 1, 1, 7, List.of("t1")),
            new ReferenceSession("u2", 5, 5, 1, 1, List.of("t9")));
  }
}
