package org.keystonesandbox.stream.topology;

/**
 * The event ids one user's events carried, each with its event time: an open-addressing hash table
 * kept inside the user's state object.
 *
 * <p>A separate {@code MapState} per id cost two state-table lookups per event and a walk over a
 * per-key map at every expiry; a table in the user's own state costs one probe, is read with the
 * sessions in the same state access, and expires by rebuilding the table from its survivors. Ids
 * are never removed one by one, so probing needs no tombstones. An id is kept as {@link
 * SessionEvent} holds it: a UUID's two longs in primitive arrays, so millions of remembered ids are
 * not millions of objects for the garbage collector, or else its text.
 */
public class SeenIds {
  private static final long ABSENT = Long.MIN_VALUE;
  private static final int FIRST_CAPACITY = 16;

  /** Whether the slot holds an id; the length of every array is zero or a power of two. */
  public boolean[] used = new boolean[0];

  /** The high half of the UUID id in the slot. */
  public long[] highs = new long[0];

  /** The low half of the UUID id in the slot. */
  public long[] lows = new long[0];

  /** The text of the id in the slot if it is not a UUID, else null. */
  public String[] texts = new String[0];

  /** The event time of the id in the slot. */
  public long[] times = new long[0];

  public int size;

  public SeenIds() {}

  /** The event time remembered for {@code event}'s id, or {@link Long#MIN_VALUE} if not here. */
  long timeOf(SessionEvent event) {
    if (size == 0) {
      return ABSENT;
    }
    int mask = used.length - 1;
    for (int slot = slotOf(hash(event.idHigh, event.idLow, event.idText), mask);
        used[slot];
        slot = (slot + 1) & mask) {
      if (holds(slot, event.idHigh, event.idLow, event.idText)) {
        return times[slot];
      }
    }
    return ABSENT;
  }

  static boolean absent(long time) {
    return time == ABSENT;
  }

  void put(SessionEvent event, long time) {
    if (2 * (size + 1) > used.length) {
      rehash(Math.max(FIRST_CAPACITY, used.length * 2), Long.MIN_VALUE);
    }
    insert(event.idHigh, event.idLow, event.idText, time);
  }

  /**
   * Drops every id whose event time is below {@code keepFrom}.
   *
   * @return the oldest event time kept, or {@link Long#MAX_VALUE} if nothing is left
   */
  long dropOlderThan(long keepFrom) {
    int kept = 0;
    long oldest = Long.MAX_VALUE;
    for (int slot = 0; slot < used.length; slot++) {
      if (used[slot] && times[slot] >= keepFrom) {
        kept++;
        oldest = Math.min(oldest, times[slot]);
      }
    }
    if (kept == 0) {
      allocate(0);
      return Long.MAX_VALUE;
    }
    int capacity = FIRST_CAPACITY;
    while (2 * kept > capacity) {
      capacity *= 2;
    }
    rehash(capacity, keepFrom);
    return oldest;
  }

  private void allocate(int capacity) {
    used = new boolean[capacity];
    highs = new long[capacity];
    lows = new long[capacity];
    texts = new String[capacity];
    times = new long[capacity];
    size = 0;
  }

  private void rehash(int capacity, long keepFrom) {
    boolean[] oldUsed = used;
    long[] oldHighs = highs;
    long[] oldLows = lows;
    String[] oldTexts = texts;
    long[] oldTimes = times;
    allocate(capacity);
    for (int slot = 0; slot < oldUsed.length; slot++) {
      if (oldUsed[slot] && oldTimes[slot] >= keepFrom) {
        insert(oldHighs[slot], oldLows[slot], oldTexts[slot], oldTimes[slot]);
      }
    }
  }

  private void insert(long high, long low, String text, long time) {
    int mask = used.length - 1;
    int slot = slotOf(hash(high, low, text), mask);
    while (used[slot] && !holds(slot, high, low, text)) {
      slot = (slot + 1) & mask;
    }
    if (!used[slot]) {
      used[slot] = true;
      size++;
    }
    highs[slot] = high;
    lows[slot] = low;
    texts[slot] = text;
    times[slot] = time;
  }

  private boolean holds(int slot, long high, long low, String text) {
    return text == null
        ? texts[slot] == null && highs[slot] == high && lows[slot] == low
        : text.equals(texts[slot]);
  }

  private static int hash(long high, long low, String text) {
    if (text != null) {
      return text.hashCode();
    }
    long mixed = high * 0x9E3779B97F4A7C15L ^ low;
    mixed ^= mixed >>> 33;
    mixed *= 0xFF51AFD7ED558CCDL;
    return (int) (mixed ^ mixed >>> 33);
  }

  private static int slotOf(int hash, int mask) {
    return (hash ^ (hash >>> 16)) & mask;
  }
}
