package org.keystonesandbox.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SeenIdsTest {
  @Test
  void remembersEveryIdWithItsTimeAcrossGrowth() {
    SeenIds seen = new SeenIds();
    for (int i = 0; i < 1_000; i++) {
      seen.put(id("event-" + i), i);
    }
    assertThat(seen.size).isEqualTo(1_000);
    for (int i = 0; i < 1_000; i++) {
      assertThat(seen.timeOf(id("event-" + i))).isEqualTo(i);
    }
    assertThat(SeenIds.absent(seen.timeOf(id("event-1000")))).isTrue();
  }

  @Test
  void puttingAnIdAgainReplacesItsTime() {
    SeenIds seen = new SeenIds();
    seen.put(id("a"), 5);
    seen.put(id("a"), 9);
    assertThat(seen.size).isOne();
    assertThat(seen.timeOf(id("a"))).isEqualTo(9);
  }

  @Test
  void droppingOlderIdsKeepsExactlyTheRestAndShrinksTheTable() {
    SeenIds seen = new SeenIds();
    for (int i = 0; i < 1_000; i++) {
      seen.put(id("event-" + i), i);
    }
    assertThat(seen.dropOlderThan(990)).isEqualTo(990);
    assertThat(seen.size).isEqualTo(10);
    assertThat(seen.used.length).isEqualTo(64);
    for (int i = 0; i < 1_000; i++) {
      assertThat(SeenIds.absent(seen.timeOf(id("event-" + i)))).isEqualTo(i < 990);
    }
    assertThat(seen.dropOlderThan(2_000)).isEqualTo(Long.MAX_VALUE);
    assertThat(seen.size).isZero();
    assertThat(SeenIds.absent(seen.timeOf(id("event-999")))).isTrue();
  }

  @Test
  void uuidIdsAndTextIdsAreRememberedSideBySideAndNeverConfused() {
    SeenIds seen = new SeenIds();
    String uuid = "0b9e2a6c-1f4d-4c3e-9a57-2d8f6e1b3c40";
    for (int i = 0; i < 500; i++) {
      seen.put(id(new UUID(i, -i).toString()), i);
      seen.put(id("event-" + i), 1_000 + i);
    }
    seen.put(id(uuid), 7);

    assertThat(seen.size).isEqualTo(1_001);
    for (int i = 0; i < 500; i++) {
      assertThat(seen.timeOf(id(new UUID(i, -i).toString()))).isEqualTo(i);
      assertThat(seen.timeOf(id("event-" + i))).isEqualTo(1_000 + i);
    }
    assertThat(seen.timeOf(id(uuid))).isEqualTo(7);
    assertThat(SeenIds.absent(seen.timeOf(id(uuid.toUpperCase(Locale.ROOT))))).isTrue();
    assertThat(SeenIds.absent(seen.timeOf(id(new UUID(0, 1).toString())))).isTrue();
    assertThat(seen.dropOlderThan(1_000)).isEqualTo(1_000);
    assertThat(seen.size).isEqualTo(500);
    assertThat(seen.timeOf(id("event-499"))).isEqualTo(1_499);
  }

  @Test
  void expiringInPlaceAgreesWithAMapOverManyRandomTablesAndThresholds() {
    Random random = new Random(42);
    for (int table = 0; table < 2_000; table++) {
      SeenIds seen = new SeenIds();
      Map<String, Long> expected = new HashMap<>();
      for (int step = 0; step < 60; step++) {
        if (random.nextInt(5) > 0) {
          String eventId =
              random.nextBoolean()
                  ? new UUID(random.nextLong(), random.nextLong()).toString()
                  : "event-" + random.nextInt(1_000);
          long time = random.nextInt(100);
          seen.put(id(eventId), time);
          expected.put(eventId, time);
        } else {
          long keepFrom = random.nextInt(100);
          long oldest = seen.dropOlderThan(keepFrom);
          expected.values().removeIf(time -> time < keepFrom);
          assertThat(oldest)
              .isEqualTo(expected.values().stream().min(Long::compare).orElse(Long.MAX_VALUE));
        }
        assertThat(seen.size).isEqualTo(expected.size());
        for (Map.Entry<String, Long> remembered : expected.entrySet()) {
          assertThat(seen.timeOf(id(remembered.getKey()))).isEqualTo(remembered.getValue());
        }
      }
    }
  }

  private static SessionEvent id(String eventId) {
    return new SessionEvent("user", eventId, "title", 0, 0, 0, 0);
  }
}
