package org.keystonesandbox.stream.topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Writes and reads a {@link SessionEvent} field by field on the shuffle. Flink's generic
 * serializers for a {@code Value} or a POJO create each received record by reflection ({@code
 * Class.newInstance}, whose caller check walks the stack): that took a fifth of the keyed task's
 * CPU. This one calls the constructor.
 */
public final class SessionEventSerializer extends TypeSerializerSingleton<SessionEvent> {
  private static final long serialVersionUID = 1L;
  private static final int NOT_ASCII = 128;

  public static final SessionEventSerializer INSTANCE = new SessionEventSerializer();

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public SessionEvent createInstance() {
    return new SessionEvent();
  }

  @Override
  public SessionEvent copy(SessionEvent from) {
    return new SessionEvent(
        from.userId,
        from.eventId,
        from.titleId,
        from.eventTs,
        from.playMs,
        from.partition,
        from.offset);
  }

  @Override
  public SessionEvent copy(SessionEvent from, SessionEvent reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(SessionEvent event, DataOutputView out) throws IOException {
    writeString(event.userId, out);
    writeString(event.eventId, out);
    writeString(event.titleId, out);
    out.writeLong(event.eventTs);
    out.writeLong(event.playMs);
    out.writeInt(event.partition);
    out.writeLong(event.offset);
  }

  @Override
  public SessionEvent deserialize(DataInputView in) throws IOException {
    return deserialize(new SessionEvent(), in);
  }

  @Override
  public SessionEvent deserialize(SessionEvent reuse, DataInputView in) throws IOException {
    reuse.userId = readString(in);
    reuse.eventId = readString(in);
    reuse.titleId = readString(in);
    reuse.eventTs = in.readLong();
    reuse.playMs = in.readLong();
    reuse.partition = in.readInt();
    reuse.offset = in.readLong();
    return reuse;
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public TypeSerializerSnapshot<SessionEvent> snapshotConfiguration() {
    return new Snapshot();
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

  /** The serializer has no parameters: its snapshot only names it. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<SessionEvent> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
