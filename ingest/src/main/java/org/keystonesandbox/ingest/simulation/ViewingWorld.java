package org.keystonesandbox.ingest.simulation;

import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.UUID;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.events.catalog.Country;
import org.keystonesandbox.events.catalog.Title;

/**
 * A simulated population of viewers, producing viewing events in event-time order (the order in
 * which they happen, not the order in which they reach Kafka: that is {@code delivery}'s job).
 *
 * <p>Sessions start as a Poisson process whose rate follows the time of day (busiest at 20:00 UTC);
 * each start goes to a user drawn by the Zipf activity skew, re-drawn if that user is already
 * watching. The average rate is calibrated so that the stream has the requested event density.
 * Events carry {@code sent_ts = 0}; delivery stamps it.
 *
 * <p>Deterministic: the same settings and catalog give the same events.
 */
public final class ViewingWorld {

  static final String[] DEVICES = {"tv", "mobile", "web", "tablet", "console"};
  private static final double[] DEVICE_WEIGHTS = {40, 30, 15, 10, 5};
  private static final double DIURNAL_AMPLITUDE = 0.5;
  private static final int PEAK_HOUR_UTC = 20;
  private static final int USER_REDRAWS = 20;
  private static final long SEED_WORLD = 0x5eed_0001L;
  private static final long SEED_USERS = 0x5eed_0002L;
  private static final long SEED_CALIBRATION = 0x5eed_0003L;
  private static final long SALT_CLIENT_VERSION = 0x5eed_0004L;

  /** The bitrates a version-2 client streams at (an adaptive-bitrate ladder), in kbit/s. */
  static final int[] BITRATE_LADDER_KBPS = {235, 750, 1750, 3000, 4300, 5800};

  private final SessionPlanner planner;
  private final ZipfSampler userSampler;
  private final SplittableRandom random;
  private final long userSeed;
  private final long[] busyUntil;
  private final String[] userIds;
  private final int userIdWidth;
  private final double meanSessionsPerMs;
  private final double v2Share;
  private final PriorityQueue<Scheduled> upcoming = new PriorityQueue<>(1 << 16);
  private long sequence;
  private double nextCandidateStart;

  public ViewingWorld(WorldSettings settings, List<Title> titles) {
    this.planner =
        new SessionPlanner(titles, settings.titleSkew(), settings.heartbeat().toMillis());
    this.userSampler = new ZipfSampler(settings.users(), settings.userSkew());
    this.random = new SplittableRandom(mix(settings.seed(), SEED_WORLD));
    this.userSeed = mix(settings.seed(), SEED_USERS);
    this.busyUntil = new long[settings.users()];
    this.userIds = new String[settings.users()];
    this.userIdWidth = Math.max(7, Integer.toString(settings.users()).length());
    this.v2Share = settings.v2Share();

    double eventsPerSession = calibrate(planner, settings);
    this.meanSessionsPerMs = settings.eventsPerSimSecond() / eventsPerSession / 1000.0;
    this.nextCandidateStart = settings.start().toEpochMilli();
    advanceCandidate();
  }

  /** The time of the next event, without consuming it. */
  public long peekEventTs() {
    return ensureNext().ts();
  }

  /** The next event in event-time order (ties in planning order). */
  public ViewingEvent next() {
    ensureNext();
    return upcoming.poll().event();
  }

  private Scheduled ensureNext() {
    while (upcoming.isEmpty() || upcoming.peek().ts() > nextCandidateStart) {
      long start = (long) nextCandidateStart;
      if (random.nextDouble() < diurnalFactor(start) / (1 + DIURNAL_AMPLITUDE)) {
        startSession(start);
      }
      advanceCandidate();
    }
    return upcoming.peek();
  }

  private void advanceCandidate() {
    double maxRate = meanSessionsPerMs * (1 + DIURNAL_AMPLITUDE);
    nextCandidateStart += -Math.log(1.0 - random.nextDouble()) / maxRate;
  }

  private static double diurnalFactor(long epochMs) {
    double hourOfDay = (epochMs % 86_400_000L) / 3_600_000.0;
    return 1 + DIURNAL_AMPLITUDE * Math.cos(2 * Math.PI * (hourOfDay - PEAK_HOUR_UTC) / 24);
  }

  private void startSession(long start) {
    int user = -1;
    for (int attempt = 0; attempt < USER_REDRAWS && user < 0; attempt++) {
      int candidate = userSampler.sample(random);
      if (busyUntil[candidate] < start) {
        user = candidate;
      }
    }
    if (user < 0) {
      return; // everyone drawn is watching already: a quiet moment for this start
    }
    long traits = mix(userSeed, user);
    String userId = userId(user);
    String country = homeCountry(traits).code();
    String device =
        random.nextDouble() < 0.8
            ? DEVICES[weightedIndex(DEVICE_WEIGHTS, unitDouble(traits >>> 20))]
            : DEVICES[random.nextInt(DEVICES.length)];
    // Derived from the user's traits and the event's sequence, never drawn from the world's random
    // stream: the share of version-2 clients changes no other field of any event.
    boolean v2Client = unitDouble(mix(traits, SALT_CLIENT_VERSION)) < v2Share;
    SessionPlanner.Sink sink =
        (title, playbackId, type, position, played, ts) -> {
          long order = sequence++;
          ViewingEvent event =
              new ViewingEvent(
                  nextEventId(),
                  userId,
                  playbackId,
                  title.titleId(),
                  device,
                  country,
                  type,
                  position,
                  played,
                  ts,
                  0,
                  v2Client ? bitrate(traits, order) : null);
          upcoming.add(new Scheduled(ts, order, event));
        };
    busyUntil[user] = planner.planSession(start, random, sink);
  }

  private static Integer bitrate(long traits, long sequence) {
    return BITRATE_LADDER_KBPS[
        (int) Long.remainderUnsigned(mix(traits, sequence), BITRATE_LADDER_KBPS.length)];
  }

  private String nextEventId() {
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | Long.MIN_VALUE;
    return new UUID(high, low).toString();
  }

  private String userId(int user) {
    String id = userIds[user];
    if (id == null) {
      id = "u" + CatalogGenerator.zeroPadded(user + 1L, userIdWidth);
      userIds[user] = id;
    }
    return id;
  }

  /** A user's home country, fixed by the seed. */
  static Country homeCountry(long traits) {
    return CatalogGenerator.COUNTRIES.get(
        weightedIndex(CatalogGenerator.COUNTRY_WEIGHTS, unitDouble(traits)));
  }

  private static int weightedIndex(double[] weights, double unit) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double target = unit * total;
    for (int i = 0; i < weights.length; i++) {
      target -= weights[i];
      if (target < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  private static double unitDouble(long bits) {
    return (mix(bits, 0) >>> 11) * 0x1.0p-53;
  }

  /** SplitMix64's finalizer over a seed and a salt: independent streams from one seed. */
  public static long mix(long seed, long salt) {
    long z = seed + salt * 0x9E37_79B9_7F4A_7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return z ^ (z >>> 31);
  }

  private record Scheduled(long ts, long sequence, ViewingEvent event)
      implements Comparable<Scheduled> {
    @Override
    public int compareTo(Scheduled other) {
      int byTime = Long.compare(ts, other.ts);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }

  /**
   * Measures, on a private random stream, how many events a playback and a session produce, so that
   * the hot title gets its share of events (not of playbacks: titles differ in length) and the
   * session rate meets the requested density. Sets the planner's hot-title probability and returns
   * the mean events per session.
   */
  private static double calibrate(SessionPlanner planner, WorldSettings settings) {
    SplittableRandom random = new SplittableRandom(mix(settings.seed(), SEED_CALIBRATION));
    long[] count = new long[1];
    SessionPlanner.Sink counter = (title, playbackId, type, position, played, ts) -> count[0]++;
    double hotProbability = 0;
    double share = settings.hotTitleShare();
    if (share > 0) {
      int samples = 4000;
      for (int i = 0; i < samples; i++) {
        planner.planPlayback(planner.hotTitle(), 0, random, counter);
      }
      double hotEvents = count[0] / (double) samples;
      count[0] = 0;
      for (int i = 0; i < samples; i++) {
        planner.planPlayback(planner.chooseOtherTitle(random), 0, random, counter);
      }
      double otherEvents = count[0] / (double) samples;
      count[0] = 0;
      hotProbability = share * otherEvents / (share * otherEvents + (1 - share) * hotEvents);
    }
    planner.setHotTitleProbability(hotProbability);
    int sessions = 3000;
    for (int i = 0; i < sessions; i++) {
      planner.planSession(0, random, counter);
    }
    return count[0] / (double) sessions;
  }
}
