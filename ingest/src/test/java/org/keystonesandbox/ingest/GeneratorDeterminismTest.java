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
  void pacingDoesNotChangeTheRecords() {
    List<byte[]> paced = values(StreamSamples.records("--seed", "7", "--count", "5000"));
    List<byte[]> unthrottled =
        values(StreamSamples.records("--seed", "7", "--count", "5000", "--unthrottled"));
    assertThat(unthrottled).containsExactlyElementsOf(paced);
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
