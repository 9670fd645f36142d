package org.keystonesandbox.oracle;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.ViewingEvent;

/**
 * The gold figures computed the obvious way, in memory, from the unique events and the title
 * runtimes, following DESIGN.md's definitions (and the batch-job README for what they leave open).
 * Shares no code with the Spark jobs.
 */
public final class ReferenceGold {
  /** One row of daily title × country figures. */
  public record TitleCountryDay(
      LocalDate day,
      String titleId,
      String country,
      long starts,
      long uniqueViewers,
      long watchMs,
      long completions,
      Double completionRate,
      long sessions) {}

  /** One row of daily user engagement. */
  public record UserDay(
      LocalDate day,
      String userId,
      String country,
      long sessions,
      long events,
      long watchMs,
      long titles) {}

  private final List<TitleCountryDay> titleCountryDays;
  private final List<UserDay> userDays;

  private ReferenceGold(List<TitleCountryDay> titleCountryDays, List<UserDay> userDays) {
    this.titleCountryDays = titleCountryDays;
    this.userDays = userDays;
  }

  public List<TitleCountryDay> titleCountryDays() {
    return titleCountryDays;
  }

  public List<UserDay> userDays() {
    return userDays;
  }

  /**
   * @param uniqueEvents each event once
   * @param runtimeMsByTitle every title's runtime
   */
  public static ReferenceGold of(
      List<ViewingEvent> uniqueEvents, Map<String, Long> runtimeMsByTitle, Duration gap) {
    Map<List<Object>, long[]> figures = new TreeMap<>(KEY_ORDER);
    Map<List<Object>, Set<String>> viewers = new HashMap<>();
    Map<String, ViewingEvent> firstCompletion = new HashMap<>();
    Map<String, String> countryAt = new HashMap<>();
    Map<List<Object>, long[]> users = new TreeMap<>(KEY_ORDER);
    Map<List<Object>, Set<String>> userTitles = new HashMap<>();
    for (ViewingEvent e : uniqueEvents) {
      LocalDate day = dayOf(e.eventTs());
      List<Object> key = List.of(day, e.titleId(), e.country());
      long[] f = figures.computeIfAbsent(key, k -> new long[4]);
      if (e.eventType() == EventType.PLAY_START) {
        f[0]++;
      }
      f[1] += e.playMs();
      viewers.computeIfAbsent(key, k -> new HashSet<>()).add(e.userId());
      Long runtime = runtimeMsByTitle.get(e.titleId());
      if (runtime == null) {
        throw new IllegalArgumentException("no runtime for title " + e.titleId());
      }
      if (e.positionMs() * 100 >= runtime * 95) {
        firstCompletion.merge(e.playbackId(), e, (a, b) -> b.eventTs() < a.eventTs() ? b : a);
      }
      countryAt.put(e.userId() + "@" + e.eventTs(), e.country());
      List<Object> userKey = List.of(day, e.userId(), e.country());
      long[] u = users.computeIfAbsent(userKey, k -> new long[2]);
      u[0]++;
      u[1] += e.playMs();
      userTitles.computeIfAbsent(userKey, k -> new HashSet<>()).add(e.titleId());
    }
    for (ViewingEvent completing : firstCompletion.values()) {
      List<Object> key =
          List.of(dayOf(completing.eventTs()), completing.titleId(), completing.country());
      figures.computeIfAbsent(key, k -> new long[4])[2]++;
    }
    Map<List<Object>, Long> sessionsByUserDay = new HashMap<>();
    for (ReferenceSession session : ReferenceSessions.of(uniqueEvents, gap)) {
      LocalDate day = dayOf(session.start());
      String country = countryAt.get(session.userId() + "@" + session.start());
      for (String title : session.titles()) {
        figures.computeIfAbsent(List.of(day, title, country), k -> new long[4])[3]++;
      }
      sessionsByUserDay.merge(List.of(day, session.userId()), 1L, Long::sum);
    }
    List<TitleCountryDay> titleRows = new ArrayList<>();
    figures.forEach(
        (key, f) ->
            titleRows.add(
                new TitleCountryDay(
                    (LocalDate) key.get(0),
                    (String) key.get(1),
                    (String) key.get(2),
                    f[0],
                    viewers.getOrDefault(key, Set.of()).size(),
                    f[1],
                    f[2],
                    f[0] > 0 ? (double) f[2] / (double) f[0] : null,
                    f[3])));
    List<UserDay> userRows = new ArrayList<>();
    users.forEach(
        (key, u) ->
            userRows.add(
                new UserDay(
                    (LocalDate) key.get(0),
                    (String) key.get(1),
                    (String) key.get(2),
                    sessionsByUserDay.getOrDefault(List.of(key.get(0), key.get(1)), 0L),
                    u[0],
                    u[1],
                    userTitles.get(key).size())));
    return new ReferenceGold(titleRows, userRows);
  }

  private static LocalDate dayOf(long epochMs) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC);
  }

  @SuppressWarnings("unchecked")
  private static final Comparator<List<Object>> KEY_ORDER =
      (a, b) -> {
        for (int i = 0; i < a.size(); i++) {
          int c = ((Comparable<Object>) a.get(i)).compareTo(b.get(i));
          if (c != 0) {
            return c;
          }
        }
        return 0;
      };
}
