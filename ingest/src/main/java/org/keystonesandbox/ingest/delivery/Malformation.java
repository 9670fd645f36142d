package org.keystonesandbox.ingest.delivery;

import org.keystonesandbox.events.RejectReason;

/** How a malformed record is broken, and the reason a consumer must give for rejecting it. */
public enum Malformation {
  /** The JSON cut off part-way. */
  BAD_JSON(RejectReason.BAD_JSON),
  /** One required field left out. */
  MISSING_FIELD(RejectReason.MISSING_FIELD),
  /** {@code event_ts} one to thirty years after {@code sent_ts}. */
  FUTURE_TIMESTAMP(RejectReason.FUTURE_TIMESTAMP);

  private final RejectReason expectedReason;

  Malformation(RejectReason expectedReason) {
    this.expectedReason = expectedReason;
  }

  public RejectReason expectedReason() {
    return expectedReason;
  }
}
