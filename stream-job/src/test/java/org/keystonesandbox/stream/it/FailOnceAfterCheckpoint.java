package org.keystonesandbox.stream.it;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.keystonesandbox.stream.topology.IncomingRecord;

/**
 * Passes records through, but in the first attempt of subtask 0 throws once a checkpoint has
 * completed and enough records have gone by: a crash in the middle of the stream, after some output
 * was committed and with more in open transactions. Slows the first attempt slightly so that
 * checkpoints happen mid-stream even on a fast machine.
 */
class FailOnceAfterCheckpoint extends RichMapFunction<IncomingRecord, IncomingRecord>
    implements CheckpointListener {
  static final AtomicInteger FAILURES = new AtomicInteger();

  private final long failAfterRecords;
  private transient long seen;
  private transient volatile boolean checkpointCompleted;

  FailOnceAfterCheckpoint(long failAfterRecords) {
    this.failAfterRecords = failAfterRecords;
  }

  @Override
  public IncomingRecord map(IncomingRecord record) throws InterruptedException {
    if (getRuntimeContext().getTaskInfo().getAttemptNumber() > 0) {
      return record;
    }
    if (++seen % 20 == 0) {
      Thread.sleep(1);
    }
    if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0
        && checkpointCompleted
        && seen > failAfterRecords) {
      FAILURES.incrementAndGet();
      throw new IllegalStateException("injected failure after " + seen + " records");
    }
    return record;
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    checkpointCompleted = true;
  }
}
