package org.keystonesandbox.ingest.simulation;

import java.util.List;
import java.util.SplittableRandom;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.catalog.Title;

/**
 * Plans one viewing session: one to four playbacks separated by a few minutes of browsing. A
 * playback starts (from the beginning, or resuming part-way), heartbeats while playing, may pause
 * and resume, seek, and stops at the end of the title or when the viewer gives up. Pauses are
 * usually short but sometimes long enough to split the session by the 30-minute rule.
 *
 * <p>Every event respects the contract's {@code play_ms}: milliseconds played since the previous
 * event of the playback, 0 for play start, seek and resume.
 */
final class SessionPlanner {

  /** Receives a planned session's events in time order. */
  interface Sink {
    void emit(
        Title title, String playbackId, EventType type, long positionMs, long playMs, long ts);
  }

  static final double COMPLETION_PROBABILITY = 0.55;
  static final double RESUME_PART_WAY_PROBABILITY = 0.3;
  static final double PAUSE_PROBABILITY = 0.02;
  static final double SEEK_PROBABILITY = 0.015;
  static final double LONG_PAUSE_PROBABILITY = 0.1;
  static final int MAX_PLAYBACKS = 4;

  private final List<Title> titles;
  private final ZipfSampler allTitles;
  private final ZipfSampler otherTitles;
  private final long heartbeatMs;
  private double hotTitleProbability;

  SessionPlanner(List<Title> titles, double titleSkew, long heartbeatMs) {
    this.titles = titles;
    this.allTitles = new ZipfSampler(titles.size(), titleSkew);
    this.otherTitles = new ZipfSampler(titles.size() - 1, titleSkew);
    this.heartbeatMs = heartbeatMs;
  }

  /** How often the hot title {@code t00001} is chosen for a playback; 0 leaves it to the Zipf. */
  void setHotTitleProbability(double probability) {
    this.hotTitleProbability = probability;
  }

  Title hotTitle() {
    return titles.get(0);
  }

  /** A title other than the hot one, by the Zipf popularity. */
  Title chooseOtherTitle(SplittableRandom random) {
    return titles.get(1 + otherTitles.sample(random));
  }

  Title chooseTitle(SplittableRandom random) {
    if (hotTitleProbability == 0) {
      return titles.get(allTitles.sample(random));
    }
    if (random.nextDouble() < hotTitleProbability) {
      return titles.get(0);
    }
    return chooseOtherTitle(random);
  }

  /** Plans a session starting at {@code start}; returns the time of its last event. */
  long planSession(long start, SplittableRandom random, Sink sink) {
    int playbacks = 1;
    while (playbacks < MAX_PLAYBACKS && random.nextDouble() < 0.45) {
      playbacks++;
    }
    long t = start;
    for (int i = 0; i < playbacks; i++) {
      if (i > 0) {
        t += random.nextLong(20_000, 6 * 60_000);
      }
      t = planPlayback(chooseTitle(random), t, random, sink);
    }
    return t;
  }

  /** Plans one playback of {@code title} starting at {@code start}; returns its stop time. */
  long planPlayback(Title title, long start, SplittableRandom random, Sink sink) {
    String playbackId = "p" + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    long runtime = title.runtimeMs();
    long position =
        random.nextDouble() < RESUME_PART_WAY_PROBABILITY
            ? (long) (random.nextDouble() * 0.7 * runtime) / 1000 * 1000
            : 0;
    long finish =
        random.nextDouble() < COMPLETION_PROBABILITY
            ? runtime
            : position + (long) ((0.05 + 0.95 * random.nextDouble()) * (runtime - position));
    long t = start;
    sink.emit(title, playbackId, EventType.PLAY_START, position, 0, t);
    while (true) {
      double action = random.nextDouble();
      if (action < PAUSE_PROBABILITY) {
        long played = random.nextLong(1_000, heartbeatMs);
        if (position + played >= finish) {
          return stop(title, playbackId, finish, finish - position, t + finish - position, sink);
        }
        t += played;
        position += played;
        sink.emit(title, playbackId, EventType.PAUSE, position, played, t);
        t +=
            random.nextDouble() < LONG_PAUSE_PROBABILITY
                ? random.nextLong(20 * 60_000, 50 * 60_000)
                : random.nextLong(5_000, 10 * 60_000);
        sink.emit(title, playbackId, EventType.RESUME, position, 0, t);
      } else if (action < PAUSE_PROBABILITY + SEEK_PROBABILITY) {
        t += random.nextLong(1_000, 4_000);
        long jump =
            random.nextDouble() < 0.7
                ? random.nextLong(10_000, 5 * 60_000)
                : -random.nextLong(10_000, 3 * 60_000);
        position = Math.max(0, Math.min(runtime - 1_000, position + jump));
        if (position >= finish) {
          finish = Math.min(runtime, position + heartbeatMs);
        }
        sink.emit(title, playbackId, EventType.SEEK, position, 0, t);
      } else {
        long played = heartbeatMs + random.nextLong(-500, 501);
        if (position + played >= finish) {
          return stop(title, playbackId, finish, finish - position, t + finish - position, sink);
        }
        t += played;
        position += played;
        sink.emit(title, playbackId, EventType.HEARTBEAT, position, played, t);
      }
    }
  }

  private static long stop(
      Title title, String playbackId, long position, long played, long t, Sink sink) {
    sink.emit(title, playbackId, EventType.STOP, position, played, t);
    return t;
  }
}
