package org.keystonesandbox.ingest.delivery;

import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.keystonesandbox.events.ViewingEvent;
import org.keystonesandbox.ingest.simulation.ViewingWorld;

/**
 * The records a generator sends, in arrival order: the world's events delayed by jitter or
 * lateness, plus duplicates and malformed copies. A record is released once no event still to come
 * from the world could arrive before it, so the order is exact and the memory held is only what is
 * in flight.
 *
 * <p>The stream ends after {@code maxEvents} unique events or at {@code simEndMs} of event time, or
 * when {@link #finish()} is called; everything already generated is then delivered, including late
 * copies (the simulated clock jumps forward to their arrival). Randomness comes from its own
 * stream, so the fault settings never change the unique events.
 */
public final class EventStream {

  private static final long SEED_DELIVERY = 0x5eed_0010L;
  private static final long MALFORMED_MAX_DELAY_MS = 5_000;

  private final ViewingWorld world;
  private final DeliverySettings settings;
  private final SplittableRandom random;
  private final long maxEvents;
  private final long simEndMs;
  private final double logMinLateness;
  private final double logMaxLateness;
  private final PriorityQueue<OutgoingRecord> inFlight = new PriorityQueue<>(1 << 12);
  private long eventsTaken;
  private long sequence;
  private boolean worldClosed;

  public EventStream(
      ViewingWorld world, DeliverySettings settings, long seed, long maxEvents, long simEndMs) {
    this.world = world;
    this.settings = settings;
    this.random = new SplittableRandom(ViewingWorld.mix(seed, SEED_DELIVERY));
    this.maxEvents = maxEvents;
    this.simEndMs = simEndMs;
    this.logMinLateness = Math.log(settings.minLateness().toMillis());
    this.logMaxLateness = Math.log(settings.maxLateness().toMillis());
  }

  /** The next record in arrival order, or {@code null} when the stream has ended. */
  public OutgoingRecord next() {
    while (true) {
      if (!worldClosed && (eventsTaken >= maxEvents || world.peekEventTs() >= simEndMs)) {
        worldClosed = true;
      }
      if (!inFlight.isEmpty()
          && (worldClosed || inFlight.peek().arrivalTs() <= world.peekEventTs())) {
        return inFlight.poll();
      }
      if (worldClosed) {
        return null;
      }
      plan(world.next());
      eventsTaken++;
    }
  }

  /** Takes no more events from the world; what is in flight is still delivered. */
  public void finish() {
    worldClosed = true;
  }

  /** Unique events taken from the world so far. */
  public long eventsTaken() {
    return eventsTaken;
  }

  /** Records planned and not yet returned (late copies waiting for their arrival time). */
  public int inFlight() {
    return inFlight.size();
  }

  private void plan(ViewingEvent event) {
    boolean late = random.nextDouble() < settings.lateRate();
    long delay =
        late
            ? (long)
                Math.exp(logMinLateness + random.nextDouble() * (logMaxLateness - logMinLateness))
            : uniform(settings.jitter().toMillis());
    long arrival = event.eventTs() + delay;
    add(RecordKind.ORIGINAL, event, arrival, late, null, 0);
    if (random.nextDouble() < settings.duplicateRate()) {
      add(
          RecordKind.DUPLICATE,
          event,
          arrival + 1 + uniform(settings.duplicateMaxDelay().toMillis()),
          false,
          null,
          0);
    }
    if (random.nextDouble() < settings.malformedRate()) {
      Malformation malformation =
          Malformation.values()[random.nextInt(Malformation.values().length)];
      add(
          RecordKind.MALFORMED,
          event,
          arrival + uniform(MALFORMED_MAX_DELAY_MS),
          false,
          malformation,
          random.nextLong());
    }
  }

  private long uniform(long maxInclusive) {
    return maxInclusive <= 0 ? 0 : random.nextLong(maxInclusive + 1);
  }

  private void add(
      RecordKind kind,
      ViewingEvent event,
      long arrival,
      boolean late,
      Malformation malformation,
      long corruption) {
    inFlight.add(
        new OutgoingRecord(
            kind, event.withSentTs(arrival), late, malformation, corruption, sequence++));
  }
}
