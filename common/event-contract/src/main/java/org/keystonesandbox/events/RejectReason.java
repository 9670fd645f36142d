package org.keystonesandbox.events;

/** Why a record is not a valid viewing event. Dead-letter outputs carry this name. */
public enum RejectReason {
  /** Not a JSON object at all, or truncated. */
  BAD_JSON,
  /** A required field is absent or null. */
  MISSING_FIELD,
  /** A field has the wrong type or a value outside its domain. */
  BAD_VALUE,
  /** A {@code schema_version} this code does not understand. */
  UNSUPPORTED_VERSION,
  /**
   * {@code event_ts} later than {@code sent_ts} plus the allowed clock skew, or either later than
   * the Kafka record's timestamp plus it (a client clock running ahead).
   */
  FUTURE_TIMESTAMP
}
