package org.keystonesandbox.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keystonesandbox.events.EventType.HEARTBEAT;
import static org.keystonesandbox.events.EventType.PAUSE;
import static org.keystonesandbox.events.EventType.PLAY_START;
import static org.keystonesandbox.events.EventType.RESUME;
import static org.keystonesandbox.events.EventType.SEEK;
import static org.keystonesandbox.events.EventType.STOP;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.catalog.Title;
import org.keystonesandbox.ingest.delivery.OutgoingRecord;
import org.keystonesandbox.ingest.delivery.RecordKind;

class SessionBelievabilityTest {

  @Test
  void everyPlaybackIsAStartThenPlayPauseResumeSeekThenOneStopInTimeOrder() {
    String[] flags = {"--seed", "3", "--sim-duration", "2d"};
    GeneratorSettings settings = StreamSamples.settings(flags);
    // The run ends mid-way through the playbacks still going on; check those that had time to end.
    long startedBefore =
        settings.world().start().plus(java.time.Duration.ofHours(36)).toEpochMilli();
    Map<String, Long> runtime =
        GeneratorRun.titles(settings).stream()
            .collect(Collectors.toMap(Title::titleId, Title::runtimeMs));
    Map<String, List<ViewingEvent>> playbacks = new LinkedHashMap<>();
    for (OutgoingRecord r : StreamSamples.records(flags)) {
      if (r.kind() == RecordKind.ORIGINAL) {
        playbacks.computeIfAbsent(r.event().playbackId(), k -> new ArrayList<>()).add(r.event());
      }
    }
    assertThat(playbacks).hasSizeGreaterThan(500);
    Set<EventType> seen = new java.util.HashSet<>();
    for (List<ViewingEvent> events : playbacks.values()) {
      events.sort(Comparator.comparingLong(ViewingEvent::eventTs));
      if (events.get(0).eventTs() >= startedBefore) {
        continue;
      }
      checkPlayback(events, runtime.get(events.get(0).titleId()));
      events.forEach(e -> seen.add(e.eventType()));
    }
    assertThat(seen).containsExactlyInAnyOrder(EventType.values());
  }

  private static void checkPlayback(List<ViewingEvent> events, long runtimeMs) {
    ViewingEvent first = events.get(0);
    assertThat(events).hasSizeGreaterThanOrEqualTo(2);
    assertThat(first.eventType()).isEqualTo(PLAY_START);
    assertThat(events.get(events.size() - 1).eventType()).isEqualTo(STOP);
    boolean paused = false;
    ViewingEvent previous = first;
    for (ViewingEvent e : events.subList(1, events.size())) {
      assertThat(e.userId()).isEqualTo(first.userId());
      assertThat(e.titleId()).isEqualTo(first.titleId());
      assertThat(e.device()).isEqualTo(first.device());
      assertThat(e.eventType()).isNotEqualTo(PLAY_START);
      long elapsed = e.eventTs() - previous.eventTs();
      assertThat(elapsed).isPositive();
      assertThat(e.playMs())
          .as("play_ms never exceeds the time elapsed")
          .isLessThanOrEqualTo(elapsed);
      assertThat(e.positionMs()).isBetween(0L, runtimeMs);
      switch (e.eventType()) {
        case RESUME -> {
          assertThat(paused).as("resume only after a pause").isTrue();
          assertThat(e.playMs()).isZero();
          assertThat(e.positionMs()).isEqualTo(previous.positionMs());
          paused = false;
        }
        case SEEK -> assertThat(e.playMs()).isZero();
        case HEARTBEAT, PAUSE -> {
          assertThat(paused).as("no playing while paused").isFalse();
          assertThat(e.positionMs()).isEqualTo(previous.positionMs() + e.playMs());
          paused = e.eventType() == PAUSE;
        }
        case STOP -> assertThat(paused).isFalse();
        default -> throw new AssertionError("unexpected " + e);
      }
      previous = e;
    }
    assertThat(events.stream().filter(e -> e.eventType() == STOP)).hasSize(1);
  }
}
