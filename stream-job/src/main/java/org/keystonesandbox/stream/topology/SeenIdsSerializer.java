package org.keystonesandbox.stream.topology;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes and reads a {@link SeenIds} table slot by slot: inside the user's state ({@link
 * UserStateSerializer}) and as the value of each event-time bucket of {@link
 * SeenIdsLayout#BUCKETS_BY_EVENT_TIME}.
 */
public final class SeenIdsSerializer extends TypeSerializerSingleton<SeenIds> {
  private static final long serialVersionUID = 1L;

  public static final SeenIdsSerializer INSTANCE = new SeenIdsSerializer();

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public SeenIds createInstance() {
    return new SeenIds();
  }

  @Override
  public SeenIds copy(SeenIds from) {
    return from.copy();
  }

  @Override
  public SeenIds copy(SeenIds from, SeenIds reuse) {
    return from.copy();
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(SeenIds seen, DataOutputView out) throws IOException {
    write(seen, out);
  }

  @Override
  public SeenIds deserialize(DataInputView in) throws IOException {
    SeenIds seen = new SeenIds();
    readInto(seen, in);
    return seen;
  }

  @Override
  public SeenIds deserialize(SeenIds reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  /** The table's capacity, then each occupied slot with its index, so the layout comes back. */
  static void write(SeenIds seen, DataOutputView out) throws IOException {
    out.writeInt(seen.used.length);
    out.writeInt(seen.size);
    for (int slot = 0; slot < seen.used.length; slot++) {
      if (seen.used[slot]) {
        out.writeInt(slot);
        boolean uuid = seen.texts[slot] == null;
        out.writeBoolean(uuid);
        if (uuid) {
          out.writeLong(seen.highs[slot]);
          out.writeLong(seen.lows[slot]);
        } else {
          SessionEventSerializer.writeString(seen.texts[slot], out);
        }
        out.writeLong(seen.times[slot]);
      }
    }
  }

  static void readInto(SeenIds seen, DataInputView in) throws IOException {
    seen.allocate(in.readInt());
    int size = in.readInt();
    for (int i = 0; i < size; i++) {
      int slot = in.readInt();
      seen.used[slot] = true;
      if (in.readBoolean()) {
        seen.highs[slot] = in.readLong();
        seen.lows[slot] = in.readLong();
      } else {
        seen.texts[slot] = SessionEventSerializer.readString(in);
      }
      seen.times[slot] = in.readLong();
    }
    seen.size = size;
  }

  @Override
  public TypeSerializerSnapshot<SeenIds> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The serializer has no parameters: its snapshot only names it. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<SeenIds> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
