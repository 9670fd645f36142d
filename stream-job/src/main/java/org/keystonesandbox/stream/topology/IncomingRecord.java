package org.keystonesandbox.stream.topology;

import org.keystonesandbox.events.ParseResult;
import org.keystonesandbox.events.ViewingEvent;

/**
 * One record of the events topic after validation: either the fields of a valid event that the job
 * uses, or the reason it was rejected together with the raw bytes, so that the dead-letter topic
 * receives the record unchanged. A Flink POJO: public fields and a no-argument constructor.
 */
public class IncomingRecord {
  /** Kafka partition and offset of the record, to find it again in the events topic. */
  public int partition;

  public long offset;

  /** The Kafka record's own timestamp (wall time of the producer). */
  public long kafkaTimestamp;

  /** Null when the record is valid. */
  public String rejectReason;

  public String rejectDetail;

  /** Raw key and value, kept only for rejected records. */
  public byte[] rawKey;

  public byte[] rawValue;

  public String eventId;
  public String userId;
  public String titleId;
  public long eventTs;
  public long playMs;

  public IncomingRecord() {}

  /** The record for a parse outcome; {@code key} and {@code value} are kept only on rejection. */
  public static IncomingRecord of(
      ParseResult result,
      int partition,
      long offset,
      long kafkaTimestamp,
      byte[] key,
      byte[] value) {
    IncomingRecord record = new IncomingRecord();
    record.partition = partition;
    record.offset = offset;
    record.kafkaTimestamp = kafkaTimestamp;
    if (result instanceof ParseResult.Valid valid) {
      ViewingEvent event = valid.event();
      record.eventId = event.eventId();
      record.userId = event.userId();
      record.titleId = event.titleId();
      record.eventTs = event.eventTs();
      record.playMs = event.playMs();
    } else {
      ParseResult.Rejected rejected = (ParseResult.Rejected) result;
      record.rejectReason = rejected.reason().name();
      record.rejectDetail = rejected.detail();
      record.rawKey = key;
      record.rawValue = value;
    }
    return record;
  }

  public boolean isValid() {
    return rejectReason == null;
  }
}
