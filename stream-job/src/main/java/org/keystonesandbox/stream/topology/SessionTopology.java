package org.keystonesandbox.stream.topology;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The job's topology as a pure function: validated records in, sessions, late events and rejected
 * records out. The Kafka source and sinks are wired around it elsewhere, so tests run exactly this.
 */
public final class SessionTopology {
  private SessionTopology() {}

  /** The three outputs of the job. */
  public record Outputs(
      DataStream<SessionUpdate> sessions,
      DataStream<LateEvent> lateEvents,
      DataStream<IncomingRecord> rejected) {}

  /**
   * Builds the topology on {@code records}, which must already carry event-time timestamps and
   * watermarks (see {@link #watermarks}).
   */
  public static Outputs sessionize(
      DataStream<IncomingRecord> records, SessionSettings settings, SeenIdsLayout layout) {
    SingleOutputStreamOperator<SessionEvent> events =
        records.process(new ValidationRouter()).name("validate").uid("validate");
    SingleOutputStreamOperator<SessionUpdate> sessions =
        events
            .keyBy(new ByUser())
            .transform(
                "dedup-and-sessionize",
                TypeInformation.of(SessionUpdate.class),
                new SessionizeOperator(new SessionizeFunction(settings, layout)))
            .uid(layout.operatorUid());
    return new Outputs(
        sessions,
        sessions.getSideOutput(SessionizeFunction.LATE_EVENTS),
        events.getSideOutput(ValidationRouter.REJECTED));
  }

  /**
   * Event time from {@code event_ts}, watermarks trailing the largest time seen by the
   * out-of-orderness; a partition silent for the idleness stops holding the watermark back.
   * Rejected records carry no event time and never move the watermark.
   */
  public static WatermarkStrategy<IncomingRecord> watermarks(WatermarkSettings settings) {
    long bound = settings.outOfOrderness().toMillis();
    WatermarkStrategy<IncomingRecord> strategy =
        (settings.perEvent()
                ? WatermarkStrategy.<IncomingRecord>forGenerator(
                    context -> new PerEventWatermarks(bound))
                : WatermarkStrategy.<IncomingRecord>forBoundedOutOfOrderness(
                    settings.outOfOrderness()))
            .withTimestampAssigner(new EventTime());
    Duration idleness = settings.idleness();
    return idleness.isZero() ? strategy : strategy.withIdleness(idleness);
  }

  /**
   * The watermark {@code forBoundedOutOfOrderness} would emit, emitted after every event rather
   * than periodically, so that where it stands at each record depends on the records alone.
   */
  static final class PerEventWatermarks implements WatermarkGenerator<IncomingRecord> {
    private final long bound;
    private long maxTimestamp;

    PerEventWatermarks(long bound) {
      this.bound = bound;
      this.maxTimestamp = Long.MIN_VALUE + bound + 1;
    }

    @Override
    public void onEvent(IncomingRecord event, long eventTimestamp, WatermarkOutput output) {
      maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
      output.emitWatermark(new Watermark(maxTimestamp - bound - 1));
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      // every event has emitted its watermark already
    }
  }

  /** Keys events by user id. */
  public static final class ByUser implements KeySelector<SessionEvent, String> {
    @Override
    public String getKey(SessionEvent event) {
      return event.userId;
    }
  }

  /** The record's event time; {@link Long#MIN_VALUE} for rejected records. */
  public static final class EventTime implements SerializableTimestampAssigner<IncomingRecord> {
    @Override
    public long extractTimestamp(IncomingRecord record, long recordTimestamp) {
      return record.isValid() ? record.eventTs : Long.MIN_VALUE;
    }
  }
}
