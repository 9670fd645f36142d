package org.keystonesandbox.events.names;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamCountersTest {
  @Test
  void theFinishedLineReadsBackAsTheCountersItWasWrittenFrom() {
    Map<String, Long> counters =
        Map.of(
            StreamCounters.EVENTS_PARSED, 1_204_389L,
            StreamCounters.EVENTS_MALFORMED, 12L,
            StreamCounters.DUPLICATES_DROPPED, 3_987L,
            StreamCounters.LATE_EVENTS, 41L,
            StreamCounters.SESSIONS_EMITTED, 425L,
            StreamCounters.SESSIONS_RETRACTED, 7L);

    String line = StreamCounters.finishedLine(counters);

    assertThat(line)
        .isEqualTo(
            "stream-job finished: parsed 1,204,389 | malformed 12 | duplicates dropped 3,987"
                + " | late 41 | sessions out 425 (retractions 7)");
    assertThat(StreamCounters.parseFinishedLine("12:00:01 " + line)).contains(counters);
  }

  @Test
  void aProgressLineOrAnotherLineIsNotAFinishedLine() {
    assertThat(
            StreamCounters.parseFinishedLine(
                "stream-job: parsed 9 | malformed 0 | duplicates dropped 0 | late 0"
                    + " | sessions out 3 (retractions 0) | 120 events/s"))
        .isEmpty();
    assertThat(StreamCounters.parseFinishedLine("stream-job finished: parsed")).isEmpty();
  }

  @Test
  void aMissingCounterIsPrintedAsZero() {
    assertThat(StreamCounters.describe(Map.of(StreamCounters.LATE_EVENTS, 2)))
        .isEqualTo(
            "parsed 0 | malformed 0 | duplicates dropped 0 | late 2 | sessions out 0"
                + " (retractions 0)");
  }
}
