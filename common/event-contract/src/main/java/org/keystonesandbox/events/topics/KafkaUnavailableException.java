package org.keystonesandbox.events.topics;

/** Kafka could not be reached or refused what a stage needs; the message says what to do. */
public final class KafkaUnavailableException extends RuntimeException {
  public KafkaUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
