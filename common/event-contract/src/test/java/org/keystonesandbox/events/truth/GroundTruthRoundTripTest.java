package org.keystonesandbox.events.truth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.ViewingEvent;

class GroundTruthRoundTripTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"truth.csv", "truth.csv.gz"})
  void eventsWrittenAreReadBackInOrder(String name) throws IOException {
    List<ViewingEvent> events = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      events.add(
          new ViewingEvent(
              "e" + i,
              "u" + (i % 7),
              "p" + (i % 13),
              "t" + (i % 5),
              "web",
              "DE",
              EventType.values()[i % EventType.values().length],
              i * 1000L,
              i,
              1_767_225_600_000L + i,
              1_767_225_600_000L + 2 * i,
              i % 3 == 0 ? null : 235 + i));
    }
    Path file = dir.resolve(name);
    try (GroundTruthWriter writer = new GroundTruthWriter(file)) {
      events.forEach(writer::write);
      assertThat(writer.written()).isEqualTo(1000);
    }
    List<ViewingEvent> read = new ArrayList<>();
    try (GroundTruthReader reader = GroundTruthReader.open(file)) {
      reader.forEach(read::add);
    }
    assertThat(read).containsExactlyElementsOf(events);
  }

  @org.junit.jupiter.api.Test
  void aFileWrittenBeforeVersionTwoReadsWithoutBitrates() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("v1.csv"),
            GroundTruthWriter.HEADER_V1
                + "\ne1,u1,p1,t1,tv,BR,play_start,0,0,1767225600000,1767225600100\n");
    try (GroundTruthReader reader = GroundTruthReader.open(file)) {
      assertThat(reader)
          .containsExactly(
              new ViewingEvent(
                  "e1",
                  "u1",
                  "p1",
                  "t1",
                  "tv",
                  "BR",
                  EventType.PLAY_START,
                  0,
                  0,
                  1_767_225_600_000L,
                  1_767_225_600_100L));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not,the,header\n",
        "event_id,user_id,playback_id,title_id,device,country,event_type,position_ms,play_ms,event_ts,sent_ts\na,b\n"
      })
  void aFileThatIsNotGroundTruthFailsNamingTheFile(String content) throws IOException {
    Path file = Files.writeString(dir.resolve("other.csv"), content);
    assertThatThrownBy(
            () -> {
              try (GroundTruthReader reader = GroundTruthReader.open(file)) {
                reader.forEach(e -> {});
              }
            })
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("other.csv");
  }
}
