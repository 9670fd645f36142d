package org.keystonesandbox.stream.topology;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.keystonesandbox.events.names.StreamCounters;

/**
 * One of the job's counters, kept twice: as a Flink metric (the web UI's metrics tab, metric
 * reporters) and as an accumulator of the same name (the job's total, readable from a {@code
 * JobClient} while it runs and from the result when it ends).
 */
public final class JobCounter {
  public static final String EVENTS_PARSED = StreamCounters.EVENTS_PARSED;
  public static final String EVENTS_MALFORMED = StreamCounters.EVENTS_MALFORMED;
  public static final String DUPLICATES_DROPPED = StreamCounters.DUPLICATES_DROPPED;
  public static final String LATE_EVENTS = StreamCounters.LATE_EVENTS;
  public static final String SESSIONS_EMITTED = StreamCounters.SESSIONS_EMITTED;
  public static final String SESSIONS_RETRACTED = StreamCounters.SESSIONS_RETRACTED;

  private final Counter metric;
  private final LongCounter total;

  private JobCounter(Counter metric, LongCounter total) {
    this.metric = metric;
    this.total = total;
  }

  /** Registers the counter {@code name} for the calling subtask. */
  public static JobCounter register(RuntimeContext context, String name) {
    LongCounter total = new LongCounter();
    context.addAccumulator(name, total);
    return new JobCounter(context.getMetricGroup().counter(name), total);
  }

  public void inc() {
    metric.inc();
    total.add(1L);
  }

  public void add(long n) {
    metric.inc(n);
    total.add(n);
  }
}
