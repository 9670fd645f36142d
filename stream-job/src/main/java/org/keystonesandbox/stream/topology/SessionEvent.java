package org.keystonesandbox.stream.topology;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import org.apache.flink.types.Value;

/**
 * The fields of a valid event that sessionization needs, and nothing else: this is what crosses the
 * network between the parse and the per-user operator, so it is kept small. A Flink {@link Value}:
 * it writes and reads its own fields, which is cheaper than the reflective POJO serializer on this,
 * the job's only shuffle.
 */
public class SessionEvent implements Value {
  private static final long serialVersionUID = 1L;
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
  public void write(DataOutputView out) throws IOException {
    StringValue.writeString(userId, out);
    StringValue.writeString(eventId, out);
    StringValue.writeString(titleId, out);
    out.writeLong(eventTs);
    out.writeLong(playMs);
    out.writeInt(partition);
    out.writeLong(offset);
  }

  @Override
  public void read(DataInputView in) throws IOException {
    userId = StringValue.readString(in);
    eventId = StringValue.readString(in);
    titleId = StringValue.readString(in);
    eventTs = in.readLong();
    playMs = in.readLong();
    partition = in.readInt();
    offset = in.readLong();
  }

  @Override
  public String toString() {
    return eventId + "@" + eventTs + "(" + userId + "," + titleId + "," + playMs + "ms)";
  }
}
