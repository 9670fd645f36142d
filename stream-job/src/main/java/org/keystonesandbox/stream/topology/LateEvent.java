package org.keystonesandbox.stream.topology;

/**
 * An event that reached the job after the watermark had passed its time by more than the allowed
 * lateness. It is not part of any session; the batch layer repairs its day. The partition and
 * offset point at the full record in the events topic.
 */
public class LateEvent {
  public String eventId;
  public String userId;
  public String titleId;
  public long eventTs;
  public long playMs;

  /** The watermark when the event arrived; {@code watermark - eventTs} is how late it was. */
  public long watermark;

  public int partition;
  public long offset;

  public LateEvent() {}

  static LateEvent of(SessionEvent event, long watermark) {
    LateEvent late = new LateEvent();
    late.eventId = event.eventId();
    late.userId = event.userId;
    late.titleId = event.titleId;
    late.eventTs = event.eventTs;
    late.playMs = event.playMs;
    late.watermark = watermark;
    late.partition = event.partition;
    late.offset = event.offset;
    return late;
  }

  @Override
  public String toString() {
    return "late " + eventId + "@" + eventTs + " watermark " + watermark;
  }
}
