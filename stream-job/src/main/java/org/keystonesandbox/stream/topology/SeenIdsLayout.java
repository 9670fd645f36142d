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
   * A {@code MapState} beside the user's state object (which then holds the sessions only), with
   * one {@link SeenIds} table per stretch of event time: an event's copies share its time, so a
   * copy is looked up in its own stretch's table, and a stretch wholly older than the horizon is
   * forgotten with one delete. On RocksDB every state access (de)serializes its value: with every
   * id inside the user's object, an active user's event rewrote thousands of them. Here the users'
   * objects and tables are cached between checkpoints ({@link WriteBackUserState}), and each
   * checkpoint writes the tables of the stretches that changed, not the user's every id.
   */
  BUCKETS_BY_EVENT_TIME("dedup-and-sessionize-v4-id-buckets");

  private final String operatorUid;

  SeenIdsLayout(String operatorUid) {
    this.operatorUid = operatorUid;
  }

  /**
   * The per-user operator's uid under this layout. It names the layout of the operator's state (v2:
   * UUID ids as longs; v3: the user's state in {@link UserStateSerializer}; v4: the ids in tables
   * per stretch of event time): a checkpoint with another layout is refused at restore, since no
   * operator of the new program claims its state, instead of being misread; such a job starts with
   * --fresh.
   */
  String operatorUid() {
    return operatorUid;
  }
}
