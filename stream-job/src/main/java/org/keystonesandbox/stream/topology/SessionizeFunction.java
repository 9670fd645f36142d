package org.keystonesandbox.stream.topology;

import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Deduplication and sessionization of one user's events in a single keyed operator.
 *
 * <p>The events topic is keyed by user, so every copy of an event belongs to the same user: keying
 * by user rather than by event id lets dedup and sessions share one shuffle and one state lookup.
 * Sessions are kept in the user's state directly (not in Flink's window machinery): events extend
 * or merge them, one event-time timer per user closes them when the watermark passes their end by
 * more than the gap, purges them once no accepted event can reach them any more, and sweeps expired
 * event ids. Where the ids are kept depends on the state backend: see {@link SeenIdsLayout}.
 *
 * <ul>
 *   <li>An event id is remembered while the watermark is at most the dedup horizon past the event's
 *       time; a copy of a remembered id is dropped and counted.
 *   <li>An event is late when the watermark has passed its time by more than the allowed lateness:
 *       it goes to {@link #LATE_EVENTS} and is counted.
 *   <li>A session closes, and is emitted, when the watermark exceeds its last event's time plus the
 *       gap; an event exactly one gap after the last one still belongs to it.
 *   <li>An accepted event that reaches a closed session re-emits it ({@code updatedByLate}, next
 *       revision) or reopens it if it moved the session's end past the watermark.
 * </ul>
 *
 * <p>Flink does not checkpoint watermarks: after a restore the watermark starts again from nothing
 * while the state holds what was purged under the old one. Every decision therefore uses the
 * highest watermark this operator had seen at the checkpoint as a floor, or a replayed event could
 * be accepted into a session already purged, or a copy of an id already swept be let through.
 */
public class SessionizeFunction extends KeyedProcessFunction<String, SessionEvent, SessionUpdate>
    implements CheckpointedFunction {
  // The side output's own name, not a topic's: --late-topic decides where it is written.
  public static final OutputTag<LateEvent> LATE_EVENTS =
      new OutputTag<>("late-events", TypeInformation.of(LateEvent.class));

  /** The names of the operator's keyed states. */
  static final String USER_STATE = "user";

  static final String SEEN_IDS_STATE = "seen-id-buckets";

  /** The event time one table of ids covers under {@link SeenIdsLayout#BUCKETS_BY_EVENT_TIME}. */
  static long bucketWidth(long dedupHorizon) {
    // A twenty-fourth of the horizon (15 minutes of the default 6 hours), at least a minute: a
    // user keeps some 25 tables, each small enough to rewrite at a checkpoint.
    return Math.max(60_000, dedupHorizon / 24);
  }

  private final long gap;
  private final long allowedLateness;
  private final long dedupHorizon;
  private final long sweepSlack;
  private final SeenIdsLayout layout;

  private final int cacheCapacity;

  private transient ValueState<UserState> userState;

  /**
   * The users' state and remembered ids under {@link SeenIdsLayout#BUCKETS_BY_EVENT_TIME}, through
   * a cache; null under the other layout, whose state the function reads and writes directly.
   */
  private transient WriteBackUserState cached;

  private transient JobCounter duplicates;
  private transient JobCounter late;
  private transient JobCounter sessionsEmitted;
  private transient JobCounter sessionsRetracted;
  private transient ListState<Long> watermarkAtCheckpoint;
  private transient long restoredWatermark = Long.MIN_VALUE;
  private transient long highestWatermark = Long.MIN_VALUE;

  public SessionizeFunction(SessionSettings settings, SeenIdsLayout layout) {
    this(settings, layout, WriteBackUserState.DEFAULT_CAPACITY);
  }

  /**
   * @param cacheCapacity how many users' state {@link SeenIdsLayout#BUCKETS_BY_EVENT_TIME} caches
   *     between checkpoints (see {@link WriteBackUserState})
   */
  SessionizeFunction(SessionSettings settings, SeenIdsLayout layout, int cacheCapacity) {
    this.layout = layout;
    this.cacheCapacity = cacheCapacity;
    this.gap = settings.gap().toMillis();
    this.allowedLateness = settings.allowedLateness().toMillis();
    this.dedupHorizon = settings.dedupHorizon().toMillis();
    // Expired ids are swept in batches: an id may stay in state up to a quarter horizon longer,
    // so that each id is scanned a few times at most instead of at every timer.
    this.sweepSlack = dedupHorizon / 4;
  }

  @Override
  public void open(OpenContext openContext) {
    userState =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>(USER_STATE, UserStateSerializer.INSTANCE));
    if (layout == SeenIdsLayout.BUCKETS_BY_EVENT_TIME) {
      MapState<Long, SeenIds> buckets =
          getRuntimeContext()
              .getMapState(
                  new MapStateDescriptor<>(
                      SEEN_IDS_STATE, LongSerializer.INSTANCE, SeenIdsSerializer.INSTANCE));
      cached = new WriteBackUserState(userState, buckets, bucketWidth(dedupHorizon), cacheCapacity);
    }
    duplicates = JobCounter.register(getRuntimeContext(), JobCounter.DUPLICATES_DROPPED);
    late = JobCounter.register(getRuntimeContext(), JobCounter.LATE_EVENTS);
    sessionsEmitted = JobCounter.register(getRuntimeContext(), JobCounter.SESSIONS_EMITTED);
    sessionsRetracted = JobCounter.register(getRuntimeContext(), JobCounter.SESSIONS_RETRACTED);
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    watermarkAtCheckpoint =
        context
            .getOperatorStateStore()
            .getUnionListState(new ListStateDescriptor<>("highest-watermark", Types.LONG));
    for (Long watermark : watermarkAtCheckpoint.get()) {
      restoredWatermark = Math.max(restoredWatermark, watermark);
    }
    highestWatermark = restoredWatermark;
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    watermarkAtCheckpoint.update(java.util.List.of(highestWatermark));
  }

  /** Whether the cache of users' state holds more users than its capacity. */
  boolean cacheFull() {
    return cached != null && cached.full();
  }

  /**
   * Writes the cached users' changes to the keyed state, making each user the current key through
   * {@code currentKey}; with {@code evict}, empties the cache. Nothing to do without a cache.
   */
  void flush(Consumer<String> currentKey, boolean evict) throws Exception {
    if (cached != null) {
      cached.flush(currentKey, evict);
    }
  }

  private UserState load(String user) throws Exception {
    return cached == null ? userState.value() : cached.value(user);
  }

  private void save(String user, UserState state) throws Exception {
    if (cached == null) {
      userState.update(state);
    } else {
      cached.update(user, state);
    }
  }

  private void clear(String user) throws Exception {
    if (cached == null) {
      userState.clear();
    } else {
      cached.clear(user);
    }
  }

  /** The watermark every decision uses: never below the one the restored state was made under. */
  private long watermark(TimerService timers) {
    long watermark = Math.max(timers.currentWatermark(), restoredWatermark);
    // The final watermark of a drained or finished input closes everything and purges it; it
    // is not a floor for what a later run of the job reads.
    if (watermark != Long.MAX_VALUE) {
      highestWatermark = Math.max(highestWatermark, watermark);
    }
    return watermark;
  }

  @Override
  public void processElement(SessionEvent event, Context ctx, Collector<SessionUpdate> out)
      throws Exception {
    long watermark = watermark(ctx.timerService());
    String userId = ctx.getCurrentKey();
    UserState user = load(userId);
    if (user == null) {
      user = new UserState();
    }
    long seenAt = rememberedTime(event, userId, user);
    if (!SeenIds.absent(seenAt) && !forgotten(seenAt, watermark)) {
      duplicates.inc();
      return;
    }
    if (!forgotten(event.eventTs, watermark)) {
      remember(event, userId, user);
    }
    if (isLate(event, watermark)) {
      late.inc();
      ctx.output(LATE_EVENTS, LateEvent.of(event, watermark));
    } else {
      addToSessions(event, watermark, userId, user, out);
    }
    if (holdsNothing(user)) {
      clear(userId);
      return;
    }
    scheduleWake(user, ctx);
    save(userId, user);
  }

  private static boolean holdsNothing(UserState user) {
    return user.sessions.length == 0 && user.nextSweep == Long.MAX_VALUE;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<SessionUpdate> out)
      throws Exception {
    String userId = ctx.getCurrentKey();
    UserState user = load(userId);
    if (user == null) {
      return;
    }
    long watermark = watermark(ctx.timerService());
    for (SessionState session : user.sessions) {
      if (!session.closed && isOver(session, watermark)) {
        session.closed = true;
        emit(session, userId, out);
      }
    }
    SortedSessions.purge(user, session -> unreachable(session, watermark));
    if (watermark >= user.nextSweep) {
      sweepForgottenIds(userId, user, watermark);
    }
    if (holdsNothing(user)) {
      clear(userId);
      return;
    }
    user.wakeAt = Long.MAX_VALUE;
    scheduleWake(user, ctx);
    save(userId, user);
  }

  /** A session is over once the watermark has passed its last event by more than the gap. */
  private boolean isOver(SessionState session, long watermark) {
    return watermark > session.end + gap;
  }

  /** A closed session is kept until no event in time can reach it, then purged. */
  private boolean unreachable(SessionState session, long watermark) {
    return session.closed && watermark > session.end + gap + allowedLateness;
  }

  private boolean isLate(SessionEvent event, long watermark) {
    return watermark > event.eventTs + allowedLateness;
  }

  private boolean forgotten(long eventTs, long watermark) {
    return watermark > eventTs + dedupHorizon;
  }

  private long rememberedTime(SessionEvent event, String userId, UserState user) throws Exception {
    return cached == null ? user.seen.timeOf(event) : cached.seenAt(userId, event);
  }

  private void remember(SessionEvent event, String userId, UserState user) throws Exception {
    if (cached == null) {
      user.seen.put(event, event.eventTs);
    } else {
      cached.remember(userId, event, event.eventTs);
    }
    user.nextSweep = Math.min(user.nextSweep, firstSweepFor(event.eventTs));
  }

  private long firstSweepFor(long eventTs) {
    return eventTs + dedupHorizon + 1 + sweepSlack;
  }

  private void sweepForgottenIds(String userId, UserState user, long watermark) throws Exception {
    long keepFrom = watermark - dedupHorizon;
    long oldestKept =
        cached == null
            ? user.seen.dropOlderThan(keepFrom)
            : cached.dropIdsOlderThan(userId, keepFrom);
    user.nextSweep = oldestKept == Long.MAX_VALUE ? Long.MAX_VALUE : firstSweepFor(oldestKept);
  }

  private void addToSessions(
      SessionEvent event,
      long watermark,
      String userId,
      UserState user,
      Collector<SessionUpdate> out) {
    SessionState session = SortedSessions.sessionFor(user, event, gap);
    session.add(event, event.eventTs < watermark);
    // Assigned, not only set: an event that moves the end far enough reopens a closed session.
    session.closed = isOver(session, watermark);
    if (session.closed) {
      emit(session, userId, out);
    }
  }

  private void emit(SessionState session, String userId, Collector<SessionUpdate> out) {
    sessionsRetracted.add(SortedSessions.publish(session, userId, out));
    sessionsEmitted.inc();
  }

  private void scheduleWake(UserState user, Context ctx) {
    long wake = user.nextSweep;
    for (SessionState session : user.sessions) {
      long due = session.closed ? session.end + gap + allowedLateness + 1 : session.end + gap + 1;
      wake = Math.min(wake, due);
    }
    if (wake < user.wakeAt) {
      ctx.timerService().registerEventTimeTimer(wake);
      user.wakeAt = wake;
    }
  }
}
