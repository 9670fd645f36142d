package org.keystonesandbox.stream.topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
  private static final int NOT_ASCII = 128;
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
    writeString(userId, out);
    writeString(eventId, out);
    writeString(titleId, out);
    out.writeLong(eventTs);
    out.writeLong(playMs);
    out.writeInt(partition);
    out.writeLong(offset);
  }

  @Override
  public void read(DataInputView in) throws IOException {
    userId = readString(in);
    eventId = readString(in);
    titleId = readString(in);
    eventTs = in.readLong();
    playMs = in.readLong();
    partition = in.readInt();
    offset = in.readLong();
  }

  /**
   * Ids are ASCII in practice: those go as one length byte and a bulk copy of their bytes, which
   * costs a fraction of {@link StringValue}'s char-by-char encoding on both sides of the shuffle.
   * Any other string (non-ASCII, or 128 characters and more) falls back to {@link StringValue}.
   */
  private static void writeString(String value, DataOutputView out) throws IOException {
    if (value.length() < NOT_ASCII) {
      byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
      if (bytes.length == value.length() && isAscii(value, bytes)) {
        out.writeByte(bytes.length);
        out.write(bytes);
        return;
      }
    }
    out.writeByte(NOT_ASCII);
    StringValue.writeString(value, out);
  }

  /**
   * US_ASCII encodes anything else as {@code '?'}; the first such character is still at the same
   * index in both, so comparing where the bytes hold {@code '?'} finds it.
   */
  private static boolean isAscii(String value, byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '?' && value.charAt(i) != '?') {
        return false;
      }
    }
    return true;
  }

  private static String readString(DataInputView in) throws IOException {
    int length = in.readUnsignedByte();
    if (length == NOT_ASCII) {
      return StringValue.readString(in);
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  @Override
  public String toString() {
    return eventId + "@" + eventTs + "(" + userId + "," + titleId + "," + playMs + "ms)";
  }
}
