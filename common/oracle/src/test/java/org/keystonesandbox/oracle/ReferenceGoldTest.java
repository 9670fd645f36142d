package org.keystonesandbox.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.ViewingEvent;

class ReferenceGoldTest {
  private static final long DAY5 = 1_767_571_200_000L; // 2026-01-05T00:00:00Z
  private static final long MIN = 60_000;

  private static ViewingEvent event(
      String id,
      String user,
      String playback,
      String title,
      String country,
      EventType type,
      long position,
      long play,
      long ts) {
    return new ViewingEvent(id, user, playback, title, "tv", country, type, position, play, ts, ts);
  }

  @Test
  void figuresFollowTheDefinitions() {
    List<ViewingEvent> events =
        List.of(
            event("a", "u1", "p1", "t1", "US", EventType.PLAY_START, 0, 0, DAY5 + 600 * MIN),
            event("b", "u1", "p1", "t1", "US", EventType.HEARTBEAT, 96, 96, DAY5 + 601 * MIN),
            event("c", "u1", "p1", "t1", "US", EventType.STOP, 99, 3, DAY5 + 602 * MIN),
            event("d", "u2", "p2", "t1", "US", EventType.PLAY_START, 0, 0, DAY5 + 1439 * MIN),
            event("e", "u2", "p2", "t1", "US", EventType.HEARTBEAT, 95, 95, DAY5 + 1445 * MIN));

    ReferenceGold gold = ReferenceGold.of(events, Map.of("t1", 100L), Duration.ofMinutes(30));

    LocalDate day5 = LocalDate.of(2026, 1, 5);
    LocalDate day6 = day5.plusDays(1);
    assertThat(gold.titleCountryDays())
        .containsExactly(
            new ReferenceGold.TitleCountryDay(day5, "t1", "US", 2, 2, 99, 1, 0.5, 2),
            new ReferenceGold.TitleCountryDay(day6, "t1", "US", 0, 1, 95, 1, null, 0));
    assertThat(gold.userDays())
        .containsExactly(
            new ReferenceGold.UserDay(day5, "u1", "US", 1, 3, 99, 1),
            new ReferenceGold.UserDay(day5, "u2", "US", 1, 1, 0, 1),
            new ReferenceGold.UserDay(day6, "u2", "US", 0, 1, 95, 1));
  }
}
