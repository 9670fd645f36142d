package org.keystonesandbox.stream.topology;

/**
 * The event ids one user's events carried, each with its event time: an open-addressing hash table
 * kept inside the user's state object.
 *
 * <p>A separate {@code MapState} per id cost two state-table lookups per event and a walk over a
 * per-key map at every expiry; a table in the user's own state costs one probe, is read with the
 * sessions in the same state access, and expires by rebuilding the table from its survivors. Ids
 * are never removed one by one, so probing needs no tombstones.
 */
public class SeenIds {
  private static final long ABSENT = Long.MIN_VALUE;
  private static final int FIRST_CAPACITY = 16;

  /** Slots: an id or {@code null}; the length is zero or a power of two. */
  public String[] ids = new String[0];

  /** The hash of the id in the same slot, compared before the id itself. */
  public int[] hashes = new int[0];

  /** The event time of the id in the same slot. */
  public long[] times = new long[0];

  public int size;

  public SeenIds() {}

  /** The event time remembered for {@code id}, or {@link Long#MIN_VALUE} if it is not here. */
  long timeOf(String id) {
    if (size == 0) {
      return ABSENT;
    }
    int hash = id.hashCode();
    int mask = ids.length - 1;
    for (int slot = slotOf(hash, mask); ids[slot] != null; slot = (slot + 1) & mask) {
      if (hashes[slot] == hash && ids[slot].equals(id)) {
        return times[slot];
      }
    }
    return ABSENT;
  }

  static boolean absent(long time) {
    return time == ABSENT;
  }

  void put(String id, long time) {
    if (2 * (size + 1) > ids.length) {
      rehash(Math.max(FIRST_CAPACITY, ids.length * 2), Long.MIN_VALUE);
    }
    insert(id, id.hashCode(), time);
  }

  /**
   * Drops every id whose event time is below {@code keepFrom}.
   *
   * @return the oldest event time kept, or {@link Long#MAX_VALUE} if nothing is left
   */
  long dropOlderThan(long keepFrom) {
    int kept = 0;
    long oldest = Long.MAX_VALUE;
    for (int slot = 0; slot < ids.length; slot++) {
      if (ids[slot] != null && times[slot] >= keepFrom) {
        kept++;
        oldest = Math.min(oldest, times[slot]);
      }
    }
    if (kept == 0) {
      ids = new String[0];
      hashes = new int[0];
      times = new long[0];
      size = 0;
      return Long.MAX_VALUE;
    }
    int capacity = FIRST_CAPACITY;
    while (2 * kept > capacity) {
      capacity *= 2;
    }
    rehash(capacity, keepFrom);
    return oldest;
  }

  private void rehash(int capacity, long keepFrom) {
    String[] oldIds = ids;
    int[] oldHashes = hashes;
    long[] oldTimes = times;
    ids = new String[capacity];
    hashes = new int[capacity];
    times = new long[capacity];
    size = 0;
    for (int slot = 0; slot < oldIds.length; slot++) {
      if (oldIds[slot] != null && oldTimes[slot] >= keepFrom) {
        insert(oldIds[slot], oldHashes[slot], oldTimes[slot]);
      }
    }
  }

  private void insert(String id, int hash, long time) {
    int mask = ids.length - 1;
    int slot = slotOf(hash, mask);
    while (ids[slot] != null && !(hashes[slot] == hash && ids[slot].equals(id))) {
      slot = (slot + 1) & mask;
    }
    if (ids[slot] == null) {
      size++;
    }
    ids[slot] = id;
    hashes[slot] = hash;
    times[slot] = time;
  }

  private static int slotOf(int hash, int mask) {
    return (hash ^ (hash >>> 16)) & mask;
  }
}
