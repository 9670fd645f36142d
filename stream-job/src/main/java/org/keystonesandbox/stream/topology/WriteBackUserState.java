package org.keystonesandbox.stream.topology;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;

/**
 * The users' state of {@link SeenIdsLayout#BUCKETS_BY_EVENT_TIME} behind a write-back cache on the
 * heap, as Kafka Streams puts a record cache in front of its RocksDB stores. A user's state object
 * and the id tables of the stretches of event time their events fall in are read from RocksDB once
 * and kept as objects until the next flush, so that an event of a cached user costs no RocksDB
 * access and no (de)serialization. The changed objects and tables are written back before each
 * checkpoint's barrier, so that every checkpoint and savepoint holds exactly what the uncached
 * state would, and all at once when more than the capacity of users are cached. The tables are
 * dropped from the cache at each barrier (an event then reads its table again, once per user and
 * stretch per checkpoint interval), so that the cache holds only the tables of one interval, not
 * every stretch of a long-cached user's horizon.
 *
 * <p>Every method but {@link #flush} works on the operator's current key, which its caller passes.
 */
final class WriteBackUserState {
  /** Users cached per parallel instance by default. */
  static final int DEFAULT_CAPACITY = 20_000;

  private final ValueState<UserState> users;
  private final MapState<Long, SeenIds> buckets;
  private final long bucketWidth;
  private final int capacity;
  private final Map<String, Entry> entries = new HashMap<>();

  /**
   * The key and entry of the last lookup: one event asks for its user's entry four times (state, id
   * lookup, id, state again), and the operator passes the same key object each time.
   */
  private String lastUser;

  private Entry lastEntry;

  /** One user's state as the uncached state would hold it now. */
  private static final class Entry {
    /** Null when the user holds nothing. */
    UserState state;

    boolean stateChanged;

    /** The tables read or written since the last flush, by bucket start. */
    final Map<Long, Bucket> buckets = new HashMap<>();

    Entry(UserState state) {
      this.state = state;
    }
  }

  /** One stretch's table; an empty table stands for a bucket the state does not hold. */
  private static final class Bucket {
    final SeenIds ids;
    boolean changed;

    Bucket(SeenIds ids) {
      this.ids = ids;
    }
  }

  /**
   * @param bucketWidth the event time each table of ids covers
   */
  WriteBackUserState(
      ValueState<UserState> users,
      MapState<Long, SeenIds> buckets,
      long bucketWidth,
      int capacity) {
    this.users = users;
    this.buckets = buckets;
    this.bucketWidth = bucketWidth;
    this.capacity = capacity;
  }

  /** The user's state; null when the user holds nothing. */
  UserState value(String user) throws Exception {
    return entry(user).state;
  }

  void update(String user, UserState state) throws Exception {
    Entry entry = entry(user);
    entry.state = state;
    entry.stateChanged = true;
  }

  void clear(String user) throws Exception {
    update(user, null);
  }

  /**
   * When the user's event with the event's id happened, if remembered; else {@link SeenIds#ABSENT}.
   */
  long seenAt(String user, SessionEvent event) throws Exception {
    return bucket(entry(user), event.eventTs).ids.timeOf(event);
  }

  void remember(String user, SessionEvent event, long time) throws Exception {
    Bucket bucket = bucket(entry(user), event.eventTs);
    bucket.ids.put(event, time);
    bucket.changed = true;
  }

  /**
   * Forgets the user's ids older than {@code keepFrom}: a bucket wholly older with one delete, the
   * ids of a bucket that straddles it one by one. Returns the oldest time kept, {@link
   * Long#MAX_VALUE} if none.
   */
  long dropIdsOlderThan(String user, long keepFrom) throws Exception {
    Entry entry = entry(user);
    writeBuckets(entry);
    long oldest = Long.MAX_VALUE;
    for (Iterator<Map.Entry<Long, SeenIds>> it = buckets.iterator(); it.hasNext(); ) {
      Map.Entry<Long, SeenIds> stored = it.next();
      long start = stored.getKey();
      if (start + bucketWidth <= keepFrom) {
        it.remove();
        entry.buckets.remove(start);
        continue;
      }
      if (start < keepFrom) {
        Bucket bucket = entry.buckets.computeIfAbsent(start, s -> new Bucket(stored.getValue()));
        oldest = Math.min(oldest, bucket.ids.dropOlderThan(keepFrom));
        bucket.changed = true;
      } else {
        oldest = Math.min(oldest, start);
      }
    }
    return oldest;
  }

  boolean full() {
    return entries.size() > capacity;
  }

  /**
   * Writes every changed user's state and tables back, making each user the current key through
   * {@code currentKey}, and forgets the tables; with {@code evict}, every cached user too.
   */
  void flush(Consumer<String> currentKey, boolean evict) throws Exception {
    for (Map.Entry<String, Entry> cached : entries.entrySet()) {
      Entry entry = cached.getValue();
      if (entry.stateChanged || hasChangedBucket(entry)) {
        currentKey.accept(cached.getKey());
        if (entry.stateChanged) {
          if (entry.state == null) {
            users.clear();
          } else {
            users.update(entry.state);
          }
          entry.stateChanged = false;
        }
        writeBuckets(entry);
      }
      entry.buckets.clear();
    }
    if (evict) {
      entries.clear();
      lastUser = null;
      lastEntry = null;
    }
  }

  private static boolean hasChangedBucket(Entry entry) {
    return entry.buckets.values().stream().anyMatch(bucket -> bucket.changed);
  }

  /** Writes the entry's changed tables; the user must be the current key. */
  private void writeBuckets(Entry entry) throws Exception {
    for (Map.Entry<Long, Bucket> cached : entry.buckets.entrySet()) {
      Bucket bucket = cached.getValue();
      if (bucket.changed) {
        if (bucket.ids.size == 0) {
          buckets.remove(cached.getKey());
        } else {
          buckets.put(cached.getKey(), bucket.ids);
        }
        bucket.changed = false;
      }
    }
  }

  private Bucket bucket(Entry entry, long eventTs) throws Exception {
    long start = Math.floorDiv(eventTs, bucketWidth) * bucketWidth;
    Bucket bucket = entry.buckets.get(start);
    if (bucket == null) {
      SeenIds stored = buckets.get(start);
      bucket = new Bucket(stored == null ? new SeenIds() : stored);
      entry.buckets.put(start, bucket);
    }
    return bucket;
  }

  private Entry entry(String user) throws Exception {
    if (user == lastUser) {
      return lastEntry;
    }
    Entry entry = entries.get(user);
    if (entry == null) {
      entry = new Entry(users.value());
      entries.put(user, entry);
    }
    lastUser = user;
    lastEntry = entry;
    return entry;
  }
}
