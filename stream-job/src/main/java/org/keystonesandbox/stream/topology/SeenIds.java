package org.keystonesandbox.stream.topology;

/**
 * The event ids one user's events carried, each with its event time: an open-addressing hash table
 * kept inside the user's state object.
 *
 * <p>A separate {@code MapState} per id cost two state-table lookups per event and a walk over a
 * per-key map at every expiry; a table in the user's own state costs one probe, is read with the
 * sessions in the same state access, and expires ids in place in one pass over its slots. An id is
 * kept as {@link SessionEvent} holds it: a UUID's two longs in primitive arrays, so millions of
 * remembered ids are not millions of objects for the garbage collector, or else its text.
 */
public class SeenIds {
  /** What {@link #timeOf} returns for an id that is not remembered. */
  static final long ABSENT = Long.MIN_VALUE;

  private static final int FIRST_CAPACITY = 16;

  /** A table with more than this many slots per id after a sweep is rebuilt smaller... */
  private static final int SPARSE = 8;

  /** ...with this many slots per id. */
  private static final int GROWN = 4;

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
      rehash(Math.max(FIRST_CAPACITY, used.length * 2));
    }
    insert(event.idHigh, event.idLow, event.idText, time);
  }

  /**
   * Drops every id whose event time is below {@code keepFrom}, in place; the table shrinks only
   * once it is mostly empty, so that the ids still arriving do not make it grow again at once.
   *
   * @return the oldest event time kept, or {@link Long#MAX_VALUE} if nothing is left
   */
  long dropOlderThan(long keepFrom) {
    for (int slot = 0; slot < used.length; ) {
      if (used[slot] && times[slot] < keepFrom) {
        removeAt(slot); // an id from further on may have moved here: look at this slot again
      } else {
        slot++;
      }
    }
    if (size == 0) {
      allocate(0);
      return Long.MAX_VALUE;
    }
    if (used.length > FIRST_CAPACITY && SPARSE * size < used.length) {
      int capacity = FIRST_CAPACITY;
      while (GROWN * size > capacity) {
        capacity *= 2;
      }
      rehash(capacity);
    }
    long oldest = Long.MAX_VALUE;
    for (int slot = 0; slot < used.length; slot++) {
      if (used[slot]) {
        oldest = Math.min(oldest, times[slot]);
      }
    }
    return oldest;
  }

  /** A copy that shares no array with this table. */
  SeenIds copy() {
    SeenIds copy = new SeenIds();
    copy.used = used.clone();
    copy.highs = highs.clone();
    copy.lows = lows.clone();
    copy.texts = texts.clone();
    copy.times = times.clone();
    copy.size = size;
    return copy;
  }

  /**
   * Empties {@code hole} and moves back each id of the probe run after it that may live there
   * (linear probing's backward-shift deletion), so lookups need no tombstones.
   */
  private void removeAt(int hole) {
    int mask = used.length - 1;
    for (int next = (hole + 1) & mask; used[next]; next = (next + 1) & mask) {
      int home = slotOf(hash(highs[next], lows[next], texts[next]), mask);
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        highs[hole] = highs[next];
        lows[hole] = lows[next];
        texts[hole] = texts[next];
        times[hole] = times[next];
        hole = next;
      }
    }
    used[hole] = false;
    texts[hole] = null;
    size--;
  }

  /** Empties the table and gives it {@code capacity} slots (zero or a power of two). */
  void allocate(int capacity) {
    used = new boolean[capacity];
    highs = new long[capacity];
    lows = new long[capacity];
    texts = new String[capacity];
    times = new long[capacity];
    size = 0;
  }

  private void rehash(int capacity) {
    boolean[] oldUsed = used;
    long[] oldHighs = highs;
    long[] oldLows = lows;
    String[] oldTexts = texts;
    long[] oldTimes = times;
    allocate(capacity);
    for (int slot = 0; slot < oldUsed.length; slot++) {
      if (oldUsed[slot]) {
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
