package org.keystonesandbox.stream.topology;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;

/**
 * The users' state of {@link SeenIdsLayout#ENTRY_PER_ID} with a write-back cache on the heap, as
 * Kafka Streams puts a record cache in front of its RocksDB stores: the state objects of the users
 * seen since the last flush are read from RocksDB once and kept as objects, so that an event costs
 * the lookup and the write of its own id instead of a read and a write of its user's sessions too,
 * with their (de)serialization. The changed users are written back before each checkpoint's
 * barrier, so that every checkpoint and savepoint holds exactly what the uncached state would; and
 * all at once when more than the capacity of users are cached.
 *
 * <p>Ids are written at once: deferred to the flush, they cost a hash map per user beside the one
 * lookup each in RocksDB that a new id needs anyway, and Flink's batched {@code putAll} asks
 * RocksDB for the batch's size after every entry; both measured slower.
 *
 * <p>Every method but {@link #flush} works on the operator's current key, which its caller passes.
 */
final class WriteBackUserState {
  /** Users cached per parallel instance by default: some megabytes of sessions. */
  static final int DEFAULT_CAPACITY = 20_000;

  private final ValueState<UserState> users;
  private final MapState<SeenId, Long> ids;
  private final int capacity;
  private final Map<String, Entry> entries = new HashMap<>();

  /** One user's state as the uncached state would hold it now. */
  private static final class Entry {
    /** Null when the user holds nothing. */
    UserState state;

    boolean dirty;

    Entry(UserState state) {
      this.state = state;
    }
  }

  WriteBackUserState(ValueState<UserState> users, MapState<SeenId, Long> ids, int capacity) {
    this.users = users;
    this.ids = ids;
    this.capacity = capacity;
  }

  /** The user's state; null when the user holds nothing. */
  UserState value(String user) throws Exception {
    return entry(user).state;
  }

  void update(String user, UserState state) throws Exception {
    Entry entry = entry(user);
    entry.state = state;
    entry.dirty = true;
  }

  void clear(String user) throws Exception {
    update(user, null);
  }

  /** When the current user's event with this id happened, if the id is remembered; null if not. */
  Long seenAt(SeenId id) throws Exception {
    return ids.get(id);
  }

  void remember(SeenId id, long time) throws Exception {
    ids.put(id, time);
  }

  /**
   * Removes the current user's ids older than {@code keepFrom}; returns the oldest time kept,
   * {@link Long#MAX_VALUE} if none.
   */
  long dropIdsOlderThan(long keepFrom) throws Exception {
    long oldest = Long.MAX_VALUE;
    for (Iterator<Map.Entry<SeenId, Long>> it = ids.iterator(); it.hasNext(); ) {
      long time = it.next().getValue();
      if (time < keepFrom) {
        it.remove();
      } else {
        oldest = Math.min(oldest, time);
      }
    }
    return oldest;
  }

  boolean full() {
    return entries.size() > capacity;
  }

  /**
   * Writes every changed user's state back, making each user the current key through {@code
   * currentKey}; with {@code evict}, forgets every cached user too.
   */
  void flush(Consumer<String> currentKey, boolean evict) throws Exception {
    for (Map.Entry<String, Entry> cached : entries.entrySet()) {
      Entry entry = cached.getValue();
      if (entry.dirty) {
        currentKey.accept(cached.getKey());
        if (entry.state == null) {
          users.clear();
        } else {
          users.update(entry.state);
        }
        entry.dirty = false;
      }
    }
    if (evict) {
      entries.clear();
    }
  }

  private Entry entry(String user) throws Exception {
    Entry entry = entries.get(user);
    if (entry == null) {
      entry = new Entry(users.value());
      entries.put(user, entry);
    }
    return entry;
  }
}
