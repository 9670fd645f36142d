package org.keystonesandbox.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.ingest.delivery.OutgoingRecord;
import org.keystonesandbox.ingest.delivery.RecordEncoder;
import org.keystonesandbox.ingest.delivery.RecordKind;

class GeneratorDeterminismTest {

  @Test
  void sameSeedAndKnobsGiveByteIdenticalRecordsInTheSameOrder() {
    List<byte[]> first = values(StreamSamples.records("--seed", "7", "--count", "20000"));
    List<byte[]> second = values(StreamSamples.records("--seed", "7", "--count", "20000"));
    assertThat(second).hasSameSizeAs(first);
    for (int i = 0; i < first.size(); i++) {
      assertThat(second.get(i)).as("record %d", i).isEqualTo(first.get(i));
    }
  }

  @Test
  void anotherSeedGivesOtherEvents() {
    List<OutgoingRecord> a = StreamSamples.records("--seed", "7", "--count", "1000");
    List<OutgoingRecord> b = StreamSamples.records("--seed", "8", "--count", "1000");
    assertThat(uniqueEvents(a)).doesNotContainAnyElementsOf(uniqueEvents(b));
  }

  @Test
  void faultKnobsChangeDeliveryButNeverTheUniqueEvents() {
    List<ViewingEvent> clean =
        uniqueEvents(
            StreamSamples.records(
                "--seed",
                "7",
                "--count",
                "20000",
                "--duplicate-rate",
                "0",
                "--late-rate",
                "0",
                "--malformed-rate",
                "0",
                "--jitter",
                "0s"));
    List<ViewingEvent> faulty =
        uniqueEvents(
            StreamSamples.records(
                "--seed",
                "7",
                "--count",
                "20000",
                "--duplicate-rate",
                "0.2",
                "--late-rate",
                "0.1",
                "--malformed-rate",
                "0.1",
                "--jitter",
                "2m"));
    assertThat(faulty).hasSize(20000).containsExactlyInAnyOrderElementsOf(clean);
  }

  @Test
  void theShareOfVersionTwoClientsAddsBitratesAndChangesNothingElse() {
    List<OutgoingRecord> v1 = StreamSamples.records("--seed", "7", "--count", "20000");
    List<OutgoingRecord> mixed =
        StreamSamples.records("--seed", "7", "--count", "20000", "--v2-share", "0.5");
    assertThat(mixed).hasSameSizeAs(v1);
    long withBitrate = 0;
    java.util.Set<String> v2Users = new java.util.HashSet<>();
    java.util.Set<String> v1Users = new java.util.HashSet<>();
    for (int i = 0; i < v1.size(); i++) {
      ViewingEvent before = v1.get(i).event();
      ViewingEvent after = mixed.get(i).event();
      assertThat(before.bitrateKbps()).isNull();
      assertThat(after.withBitrateKbps(null)).as("record %d", i).isEqualTo(before);
      if (after.bitrateKbps() != null) {
        withBitrate++;
        v2Users.add(after.userId());
        assertThat(after.bitrateKbps()).isIn(235, 750, 1750, 3000, 4300, 5800);
      } else {
        v1Users.add(after.userId());
      }
    }
    assertThat(v2Users).as("a user's client is one version").doesNotContainAnyElementsOf(v1Users);
    assertThat(withBitrate).isBetween(2_000L, 18_000L);
  }

  private static List<byte[]> values(List<OutgoingRecord> records) {
    RecordEncoder encoder = new RecordEncoder();
    return records.stream().map(encoder::value).toList();
  }

  /** Unique events without their send time, which delivery decides. */
  private static List<ViewingEvent> uniqueEvents(List<OutgoingRecord> records) {
    return records.stream()
        .filter(r -> r.kind() == RecordKind.ORIGINAL)
        .map(r -> r.event().withSentTs(0))
        .toList();
  }
}
