package org.keystonesandbox.ingest.delivery;

import org.keystonesandbox.events.ViewingEvent;

/**
 * One record to send, in arrival order.
 *
 * @param event the event with {@code sent_ts} stamped with this copy's arrival time
 * @param late for an original: whether the late-data process held it back
 * @param malformation for a malformed record: how to corrupt it ({@code null} otherwise)
 * @param corruption random bits that choose the corruption's details deterministically
 */
public record OutgoingRecord(
    RecordKind kind,
    ViewingEvent event,
    boolean late,
    Malformation malformation,
    long corruption,
    long sequence)
    implements Comparable<OutgoingRecord> {

  public long arrivalTs() {
    return event.sentTs();
  }

  /** Arrival order; ties in the order planned. */
  @Override
  public int compareTo(OutgoingRecord other) {
    int byArrival = Long.compare(arrivalTs(), other.arrivalTs());
    return byArrival != 0 ? byArrival : Long.compare(sequence, other.sequence);
  }
}
