package org.keystonesandbox.stream.topology;

/**
 * Where {@link SessionizeFunction} keeps the event ids it remembers for deduplication. The right
 * layout depends on the state backend, so the job picks it from {@code --state-backend}.
 */
public enum SeenIdsLayout {
  /**
   * A hash table ({@link SeenIds}) inside the user's one state object. On the heap backend that
   * object is read and written by reference: one state access and one probe per event.
   */
  TABLE_IN_USER_STATE("dedup-and-sessionize-v3"),

  /**
   * A {@code MapState} entry per id beside a user state object that holds the sessions only. On
   * RocksDB every state access (de)serializes its value: with the table inside the user's object,
   * an active user's event rewrote thousands of remembered ids; here it reads and writes its own
   * id's entry.
   */
  ENTRY_PER_ID("dedup-and-sessionize-v4-ids-per-entry");

  private final String operatorUid;

  SeenIdsLayout(String operatorUid) {
    this.operatorUid = operatorUid;
  }

  /**
   * The per-user operator's uid under this layout. It names the layout of the operator's state (v2:
   * UUID ids as longs; v3: the user's state in {@link UserStateSerializer}; v4 of {@link
   * #ENTRY_PER_ID}: the ids in {@link SeenIdSerializer}): a checkpoint with another layout is
   * refused at restore, since no operator of the new program claims its state, instead of being
   * misread; such a job starts with --fresh.
   */
  String operatorUid() {
    return operatorUid;
  }
}
