package org.keystonesandbox.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.events.ParseResult;
import org.keystonesandbox.events.RejectReason;
import org.keystonesandbox.events.ViewingEventJson;
import org.keystonesandbox.ingest.delivery.Malformation;
import org.keystonesandbox.ingest.delivery.OutgoingRecord;
import org.keystonesandbox.ingest.delivery.RecordEncoder;
import org.keystonesandbox.ingest.delivery.RecordKind;

/**
 * Each knob's effect, measured on one large sample (300,000 unique events). Tolerances are about
 * four standard deviations of the binomial sampling error, so a correct generator fails them with
 * negligible probability and a wrong rate (off by a fifth) fails them for sure.
 */
class GeneratorKnobsTest {

  static final int EVENTS = 300_000;
  static List<OutgoingRecord> records;

  @BeforeAll
  static void generate() {
    records =
        StreamSamples.records(
            "--seed",
            "11",
            "--count",
            Integer.toString(EVENTS),
            "--duplicate-rate",
            "0.05",
            "--late-rate",
            "0.03",
            "--malformed-rate",
            "0.01",
            "--hot-title-share",
            "0.35",
            "--max-lateness",
            "3d",
            "--min-lateness",
            "15m",
            "--jitter",
            "20s");
  }

  @Test
  void duplicateRateIsTheShareOfEventsSentTwice() {
    assertThat(share(RecordKind.DUPLICATE)).isCloseTo(0.05, within(0.0016));
    Map<String, Integer> copies = new HashMap<>();
    records.stream()
        .filter(r -> r.kind() != RecordKind.MALFORMED)
        .forEach(r -> copies.merge(r.event().eventId(), 1, Integer::sum));
    assertThat(copies).hasSize(EVENTS);
    assertThat(copies.values()).allMatch(n -> n == 1 || n == 2);
  }

  @Test
  void duplicatesArriveAfterTheirOriginalWithinTheMaxDelay() {
    Map<String, Long> originalArrival = new HashMap<>();
    for (OutgoingRecord r : records) {
      if (r.kind() == RecordKind.ORIGINAL) {
        originalArrival.put(r.event().eventId(), r.arrivalTs());
      } else if (r.kind() == RecordKind.DUPLICATE) {
        Long original = originalArrival.get(r.event().eventId());
        assertThat(original).as("original sent before its duplicate").isNotNull();
        assertThat(r.arrivalTs() - original).isBetween(1L, 3_600_001L);
      }
    }
  }

  @Test
  void lateRateIsTheShareOfEventsHeldBackAndTheirLatenessStaysInRange() {
    List<OutgoingRecord> originals = originals();
    long late = originals.stream().filter(OutgoingRecord::late).count();
    assertThat(late / (double) EVENTS).isCloseTo(0.03, within(0.0013));
    for (OutgoingRecord r : originals) {
      long delay = r.arrivalTs() - r.event().eventTs();
      if (r.late()) {
        assertThat(delay).isBetween(15 * 60_000L, 3 * 86_400_000L);
      } else {
        assertThat(delay).isBetween(0L, 20_000L);
      }
    }
  }

  @Test
  void jitterMakesTheStreamOutOfOrderButArrivalOrderIsKept() {
    long outOfOrder = 0;
    long previousEventTs = Long.MIN_VALUE;
    long previousArrival = Long.MIN_VALUE;
    for (OutgoingRecord r : records) {
      assertThat(r.arrivalTs()).isGreaterThanOrEqualTo(previousArrival);
      previousArrival = r.arrivalTs();
      if (r.kind() == RecordKind.ORIGINAL) {
        if (r.event().eventTs() < previousEventTs) {
          outOfOrder++;
        }
        previousEventTs = r.event().eventTs();
      }
    }
    assertThat(outOfOrder / (double) EVENTS).isGreaterThan(0.05);
  }

  @Test
  void malformedRateIsTheShareOfCorruptedCopiesAndEachIsRejectedForItsKind() {
    assertThat(share(RecordKind.MALFORMED)).isCloseTo(0.01, within(0.0008));
    RecordEncoder encoder = new RecordEncoder();
    Map<Malformation, Integer> kinds = new EnumMap<>(Malformation.class);
    for (OutgoingRecord r : records) {
      ParseResult parsed = ViewingEventJson.parse(encoder.value(r));
      if (r.kind() == RecordKind.MALFORMED) {
        kinds.merge(r.malformation(), 1, Integer::sum);
        assertThat(parsed).isInstanceOf(ParseResult.Rejected.class);
        RejectReason reason = ((ParseResult.Rejected) parsed).reason();
        assertThat(reason).isEqualTo(r.malformation().expectedReason());
      } else {
        assertThat(parsed).isEqualTo(new ParseResult.Valid(r.event()));
      }
    }
    assertThat(kinds).containsOnlyKeys(Malformation.values());
  }

  @Test
  void hotTitleGetsItsShareOfEvents() {
    long hot = originals().stream().filter(r -> r.event().titleId().equals("t00001")).count();
    assertThat(hot / (double) EVENTS).isCloseTo(0.35, within(0.02));
  }

  @Test
  void userSkewMakesTheMostActivePercentOfUsersWatchFarMoreThanTheirShare() {
    Map<String, Integer> perUser = new HashMap<>();
    originals().forEach(r -> perUser.merge(r.event().userId(), 1, Integer::sum));
    List<Integer> counts = perUser.values().stream().sorted((a, b) -> b - a).toList();
    long topPercent = counts.stream().limit(50).mapToLong(Integer::longValue).sum();
    // 50 of 5,000 users; without skew they would have about 1% of the events.
    assertThat(topPercent / (double) EVENTS).isGreaterThan(0.04);
  }

  private List<OutgoingRecord> originals() {
    return records.stream().filter(r -> r.kind() == RecordKind.ORIGINAL).toList();
  }

  private static double share(RecordKind kind) {
    return records.stream().filter(r -> r.kind() == kind).count() / (double) EVENTS;
  }
}
