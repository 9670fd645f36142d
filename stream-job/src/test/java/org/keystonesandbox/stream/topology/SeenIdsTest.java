package org.keystonesandbox.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeenIdsTest {
  @Test
  void remembersEveryIdWithItsTimeAcrossGrowth() {
    SeenIds seen = new SeenIds();
    for (int i = 0; i < 1_000; i++) {
      seen.put("event-" + i, i);
    }
    assertThat(seen.size).isEqualTo(1_000);
    for (int i = 0; i < 1_000; i++) {
      assertThat(seen.timeOf("event-" + i)).isEqualTo(i);
    }
    assertThat(SeenIds.absent(seen.timeOf("event-1000"))).isTrue();
  }

  @Test
  void puttingAnIdAgainReplacesItsTime() {
    SeenIds seen = new SeenIds();
    seen.put("a", 5);
    seen.put("a", 9);
    assertThat(seen.size).isOne();
    assertThat(seen.timeOf("a")).isEqualTo(9);
  }

  @Test
  void droppingOlderIdsKeepsExactlyTheRestAndShrinksTheTable() {
    SeenIds seen = new SeenIds();
    for (int i = 0; i < 1_000; i++) {
      seen.put("event-" + i, i);
    }
    assertThat(seen.dropOlderThan(990)).isEqualTo(990);
    assertThat(seen.size).isEqualTo(10);
    assertThat(seen.ids.length).isEqualTo(32);
    for (int i = 0; i < 1_000; i++) {
      assertThat(SeenIds.absent(seen.timeOf("event-" + i))).isEqualTo(i < 990);
    }
    assertThat(seen.dropOlderThan(2_000)).isEqualTo(Long.MAX_VALUE);
    assertThat(seen.size).isZero();
    assertThat(SeenIds.absent(seen.timeOf("event-999"))).isTrue();
  }
}
