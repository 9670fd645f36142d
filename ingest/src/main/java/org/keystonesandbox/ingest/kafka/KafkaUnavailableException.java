package org.keystonesandbox.ingest.kafka;

/** Kafka could not be reached or refused what the generator needs; the message says what to do. */
public final class KafkaUnavailableException extends RuntimeException {
  public KafkaUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
