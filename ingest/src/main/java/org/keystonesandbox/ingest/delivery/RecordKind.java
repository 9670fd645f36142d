package org.keystonesandbox.ingest.delivery;

/** What an outgoing record is, relative to the unique events of the ground truth. */
public enum RecordKind {
  /** The first copy of a unique event: what the ground truth records. */
  ORIGINAL,
  /** A re-send of an event already sent, same {@code event_id}, later {@code sent_ts}. */
  DUPLICATE,
  /** A corrupted copy that every consumer must reject and dead-letter. */
  MALFORMED
}
