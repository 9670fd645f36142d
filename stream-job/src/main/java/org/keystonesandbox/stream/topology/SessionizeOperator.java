package org.keystonesandbox.stream.topology;

import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Runs {@link SessionizeFunction} as Flink's keyed process operator does, and writes the function's
 * cached users' state back to the keyed state where only an operator can: before each checkpoint's
 * barrier (a checkpoint or savepoint then holds everything), and when the cache is full (making
 * each cached user the current key in turn, then restoring the key being processed).
 */
public final class SessionizeOperator
    extends KeyedProcessOperator<String, SessionEvent, SessionUpdate> {
  private static final long serialVersionUID = 1L;

  private final SessionizeFunction function;

  public SessionizeOperator(SessionizeFunction function) {
    super(function);
    this.function = function;
  }

  @Override
  public void processElement(StreamRecord<SessionEvent> element) throws Exception {
    super.processElement(element);
    evictIfFull();
  }

  @Override
  public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
    super.onEventTime(timer);
    evictIfFull();
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    flush(false);
  }

  private void evictIfFull() throws Exception {
    if (function.cacheFull()) {
      flush(true);
    }
  }

  /**
   * Writes the cache back under each cached user's key, then makes the key being processed current
   * again (before the first record there is none to restore).
   */
  private void flush(boolean evict) throws Exception {
    Object key = getCurrentKey();
    function.flush(this::setCurrentKey, evict);
    if (key != null) {
      setCurrentKey(key);
    }
  }
}
