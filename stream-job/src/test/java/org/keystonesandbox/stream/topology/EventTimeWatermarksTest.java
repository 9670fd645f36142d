package org.keystonesandbox.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.events.ParseResult;
import org.keystonesandbox.events.RejectReason;

/**
 * The job's watermark strategy as the Kafka source applies it to each partition: bounded
 * out-of-orderness over event_ts, rejected records ignored, silent partitions marked idle.
 */
class EventTimeWatermarksTest {
  private static final long T0 = 1_767_225_600_000L;

  private final ManualClock clock = new ManualClock();
  private final RecordingOutput output = new RecordingOutput();

  private static final class RecordingOutput implements WatermarkOutput {
    final List<Long> watermarks = new ArrayList<>();
    boolean idle;

    @Override
    public void emitWatermark(Watermark watermark) {
      watermarks.add(watermark.getTimestamp());
      idle = false;
    }

    @Override
    public void markIdle() {
      idle = true;
    }

    @Override
    public void markActive() {
      idle = false;
    }
  }

  private WatermarkGenerator<IncomingRecord> generator(WatermarkStrategy<IncomingRecord> s) {
    return s.createWatermarkGenerator(
        new WatermarkGeneratorSupplier.Context() {
          @Override
          public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
          }

          @Override
          public RelativeClock getInputActivityClock() {
            return clock;
          }
        });
  }

  private static IncomingRecord valid(long eventTs) {
    IncomingRecord record = new IncomingRecord();
    record.eventId = "e" + eventTs;
    record.userId = "u1";
    record.titleId = "t1";
    record.eventTs = eventTs;
    return record;
  }

  private static IncomingRecord rejected() {
    return IncomingRecord.of(
        new ParseResult.Rejected(RejectReason.FUTURE_TIMESTAMP, "event_ts in 2099"),
        0,
        0,
        T0,
        null,
        new byte[0]);
  }

  private void feed(
      WatermarkStrategy<IncomingRecord> strategy,
      WatermarkGenerator<IncomingRecord> generator,
      IncomingRecord record) {
    TimestampAssigner<IncomingRecord> assigner = strategy.createTimestampAssigner(null);
    generator.onEvent(record, assigner.extractTimestamp(record, T0 + 1_000_000_000L), output);
  }

  @Test
  void watermarkTrailsTheLargestEventTimeAndIgnoresRejectedRecords() {
    WatermarkStrategy<IncomingRecord> strategy =
        SessionTopology.watermarks(new WatermarkSettings(Duration.ofMinutes(1), Duration.ZERO));
    WatermarkGenerator<IncomingRecord> generator = generator(strategy);

    feed(strategy, generator, valid(T0 + 600_000));
    feed(strategy, generator, valid(T0 + 300_000)); // out of order: does not pull it back
    feed(strategy, generator, rejected()); // a far-future time it never saw
    generator.onPeriodicEmit(output);

    assertThat(output.watermarks).containsExactly(T0 + 600_000 - 60_000 - 1);
  }

  @Test
  void perEventWatermarksFollowEachEventWithTheSameBoundAndIgnoreRejectedRecords() {
    WatermarkStrategy<IncomingRecord> strategy =
        SessionTopology.watermarks(
            new WatermarkSettings(Duration.ofMinutes(1), Duration.ZERO, true));
    WatermarkGenerator<IncomingRecord> generator = generator(strategy);

    feed(strategy, generator, valid(T0 + 600_000));
    feed(strategy, generator, valid(T0 + 300_000));
    feed(strategy, generator, rejected());
    feed(strategy, generator, valid(T0 + 700_000));
    generator.onPeriodicEmit(output);

    long first = T0 + 600_000 - 60_000 - 1;
    assertThat(output.watermarks).containsExactly(first, first, first, T0 + 700_000 - 60_000 - 1);
  }

  @Test
  void aSilentPartitionIsMarkedIdleAfterTheIdlenessTimeoutAndOnlyWithIdlenessOn() {
    WatermarkStrategy<IncomingRecord> withIdleness =
        SessionTopology.watermarks(
            new WatermarkSettings(Duration.ofMinutes(1), Duration.ofSeconds(5)));
    WatermarkGenerator<IncomingRecord> generator = generator(withIdleness);
    feed(withIdleness, generator, valid(T0));
    generator.onPeriodicEmit(output);
    assertThat(output.idle).isFalse();

    // Periodic checks once a second, as the source's auto-watermark interval would do them.
    int secondsUntilIdle = 0;
    while (!output.idle && secondsUntilIdle < 60) {
      clock.advanceTime(Duration.ofSeconds(1));
      generator.onPeriodicEmit(output);
      secondsUntilIdle++;
    }
    // Flink counts the timeout from the first periodic check that saw no new record.
    assertThat(secondsUntilIdle).isBetween(5, 7);

    RecordingOutput withoutIdleness = new RecordingOutput();
    WatermarkStrategy<IncomingRecord> noIdleness =
        SessionTopology.watermarks(new WatermarkSettings(Duration.ofMinutes(1), Duration.ZERO));
    WatermarkGenerator<IncomingRecord> plain = generator(noIdleness);
    plain.onEvent(valid(T0), T0, withoutIdleness);
    clock.advanceTime(Duration.ofHours(1));
    plain.onPeriodicEmit(withoutIdleness);
    assertThat(withoutIdleness.idle).isFalse();
  }
}
