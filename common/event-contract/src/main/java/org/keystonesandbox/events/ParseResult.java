package org.keystonesandbox.events;

/** The outcome of parsing one record: a valid event, or the reason it was rejected. */
public sealed interface ParseResult {

  /** A record that satisfies the contract. */
  record Valid(ViewingEvent event) implements ParseResult {}

  /** A record that does not; {@code detail} says which field or what went wrong. */
  record Rejected(RejectReason reason, String detail) implements ParseResult {}
}
