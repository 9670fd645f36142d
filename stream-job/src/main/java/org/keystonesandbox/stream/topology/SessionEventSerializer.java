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
 * CPU. This one calls the constructor, and sends an event id that is a UUID as its two longs.
 */
public final class SessionEventSerializer extends TypeSerializerSingleton<SessionEvent> {
  private static final long serialVersionUID = 1L;
  private static final int NOT_ASCII = 128;

  /** In place of an event id's length byte: the id follows as a UUID's two longs. */
  private static final int UUID_ID = 129;

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
    SessionEvent copy = new SessionEvent();
    copy.userId = from.userId;
    copy.idHigh = from.idHigh;
    copy.idLow = from.idLow;
    copy.idText = from.idText;
    copy.titleId = from.titleId;
    copy.eventTs = from.eventTs;
    copy.playMs = from.playMs;
    copy.partition = from.partition;
    copy.offset = from.offset;
    return copy;
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
    if (event.idText == null) {
      out.writeByte(UUID_ID);
      out.writeLong(event.idHigh);
      out.writeLong(event.idLow);
    } else {
      writeString(event.idText, out);
    }
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
    int idHeader = in.readUnsignedByte();
    if (idHeader == UUID_ID) {
      reuse.idHigh = in.readLong();
      reuse.idLow = in.readLong();
      reuse.idText = null;
    } else {
      reuse.idHigh = 0;
      reuse.idLow = 0;
      reuse.idText = readString(idHeader, in);
    }
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
  static void writeString(String value, DataOutputView out) throws IOException {
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

  static String readString(DataInputView in) throws IOException {
    return readString(in.readUnsignedByte(), in);
  }

  /** The rest of a string whose first byte, {@code header}, has been read. */
  private static String readString(int header, DataInputView in) throws IOException {
    if (header == NOT_ASCII) {
      return StringValue.readString(in);
    }
    byte[] bytes = new byte[header];
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
