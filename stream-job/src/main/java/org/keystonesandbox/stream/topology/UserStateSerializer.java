package org.keystonesandbox.stream.topology;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes and reads a {@link UserState} field by field. On RocksDB every event reads and writes its
 * user's state: Flink's POJO serializer, which creates each object by reflection and reads each
 * field through it, took three quarters of the per-user operator's time there. On the heap backend
 * it runs only for checkpoints, and {@link #copy} while one is being taken.
 */
public final class UserStateSerializer extends TypeSerializerSingleton<UserState> {
  private static final long serialVersionUID = 1L;

  public static final UserStateSerializer INSTANCE = new UserStateSerializer();

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public UserState createInstance() {
    return new UserState();
  }

  /** A deep copy: the function changes sessions and the id table in place. */
  @Override
  public UserState copy(UserState from) {
    UserState copy = new UserState();
    copy.sessions = new SessionState[from.sessions.length];
    for (int i = 0; i < from.sessions.length; i++) {
      copy.sessions[i] = copy(from.sessions[i]);
    }
    copy.seen = from.seen.copy();
    copy.nextSweep = from.nextSweep;
    copy.wakeAt = from.wakeAt;
    return copy;
  }

  private static SessionState copy(SessionState from) {
    SessionState copy = new SessionState();
    copy.start = from.start;
    copy.end = from.end;
    copy.events = from.events;
    copy.watchMs = from.watchMs;
    copy.titles = from.titles.clone();
    copy.lateEvents = from.lateEvents;
    copy.closed = from.closed;
    copy.updatedByLate = from.updatedByLate;
    copy.revision = from.revision;
    copy.visibleStarts = from.visibleStarts.clone();
    return copy;
  }

  @Override
  public UserState copy(UserState from, UserState reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(UserState user, DataOutputView out) throws IOException {
    out.writeLong(user.nextSweep);
    out.writeLong(user.wakeAt);
    out.writeInt(user.sessions.length);
    for (SessionState session : user.sessions) {
      serialize(session, out);
    }
    SeenIdsSerializer.write(user.seen, out);
  }

  private static void serialize(SessionState session, DataOutputView out) throws IOException {
    out.writeLong(session.start);
    out.writeLong(session.end);
    out.writeInt(session.events);
    out.writeLong(session.watchMs);
    out.writeInt(session.titles.length);
    for (String title : session.titles) {
      SessionEventSerializer.writeString(title, out);
    }
    out.writeInt(session.lateEvents);
    out.writeBoolean(session.closed);
    out.writeBoolean(session.updatedByLate);
    out.writeInt(session.revision);
    out.writeInt(session.visibleStarts.length);
    for (long start : session.visibleStarts) {
      out.writeLong(start);
    }
  }

  @Override
  public UserState deserialize(DataInputView in) throws IOException {
    UserState user = new UserState();
    user.nextSweep = in.readLong();
    user.wakeAt = in.readLong();
    user.sessions = new SessionState[in.readInt()];
    for (int i = 0; i < user.sessions.length; i++) {
      user.sessions[i] = deserializeSession(in);
    }
    SeenIdsSerializer.readInto(user.seen, in);
    return user;
  }

  private static SessionState deserializeSession(DataInputView in) throws IOException {
    SessionState session = new SessionState();
    session.start = in.readLong();
    session.end = in.readLong();
    session.events = in.readInt();
    session.watchMs = in.readLong();
    session.titles = new String[in.readInt()];
    for (int i = 0; i < session.titles.length; i++) {
      session.titles[i] = SessionEventSerializer.readString(in);
    }
    session.lateEvents = in.readInt();
    session.closed = in.readBoolean();
    session.updatedByLate = in.readBoolean();
    session.revision = in.readInt();
    session.visibleStarts = new long[in.readInt()];
    for (int i = 0; i < session.visibleStarts.length; i++) {
      session.visibleStarts[i] = in.readLong();
    }
    return session;
  }

  @Override
  public UserState deserialize(UserState reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public TypeSerializerSnapshot<UserState> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The serializer has no parameters: its snapshot only names it. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<UserState> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
