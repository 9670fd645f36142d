package org.keystonesandbox.stream.topology;

import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.keystonesandbox.events.RejectReason;

/**
 * Sends valid events on, as {@link SessionEvent}s, and rejected records to the dead-letter side
 * output unchanged. Counts both, and the rejections per reason ({@code eventsMalformed.BAD_JSON}
 * and so on).
 */
public class ValidationRouter extends ProcessFunction<IncomingRecord, SessionEvent> {
  public static final OutputTag<IncomingRecord> REJECTED =
      new OutputTag<>("rejected-records", TypeInformation.of(IncomingRecord.class));

  private transient JobCounter parsed;
  private transient JobCounter malformed;
  private transient Map<RejectReason, JobCounter> malformedByReason;

  @Override
  public void open(OpenContext openContext) {
    parsed = JobCounter.register(getRuntimeContext(), JobCounter.EVENTS_PARSED);
    malformed = JobCounter.register(getRuntimeContext(), JobCounter.EVENTS_MALFORMED);
    malformedByReason = new EnumMap<>(RejectReason.class);
    for (RejectReason reason : RejectReason.values()) {
      malformedByReason.put(
          reason,
          JobCounter.register(getRuntimeContext(), JobCounter.EVENTS_MALFORMED + "." + reason));
    }
  }

  @Override
  public void processElement(IncomingRecord record, Context ctx, Collector<SessionEvent> out) {
    if (record.isValid()) {
      parsed.inc();
      out.collect(
          new SessionEvent(
              record.userId,
              record.eventId,
              record.titleId,
              record.eventTs,
              record.playMs,
              record.partition,
              record.offset));
    } else {
      malformed.inc();
      malformedByReason.get(RejectReason.valueOf(record.rejectReason)).inc();
      ctx.output(REJECTED, record);
    }
  }
}
