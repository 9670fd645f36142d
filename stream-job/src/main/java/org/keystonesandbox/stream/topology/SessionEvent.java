package org.keystonesandbox.stream.topology;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The fields of a valid event that sessionization needs, and nothing else: this is what crosses the
 * network between the parse and the per-user operator, so it is kept small, and it has a serializer
 * of its own ({@link SessionEventSerializer}) for this, the job's only shuffle.
 */
@TypeInfo(SessionEventTypeInfo.Factory.class)
public class SessionEvent {
  public String userId;
  public String eventId;
  public String titleId;
  public long eventTs;
  public long playMs;
  public int partition;
  public long offset;

  public SessionEvent() {}

  public SessionEvent(
      String userId,
      String eventId,
      String titleId,
      long eventTs,
      long playMs,
      int partition,
      long offset) {
    this.userId = userId;
    this.eventId = eventId;
    this.titleId = titleId;
    this.eventTs = eventTs;
    this.playMs = playMs;
    this.partition = partition;
    this.offset = offset;
  }

  @Override
  public String toString() {
    return eventId + "@" + eventTs + "(" + userId + "," + titleId + "," + playMs + "ms)";
  }
}
