package org.keystonesandbox.stream.topology;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's type information for {@link SessionEvent}: it hands out {@link SessionEventSerializer}.
 */
public final class SessionEventTypeInfo extends TypeInformation<SessionEvent> {
  private static final long serialVersionUID = 1L;

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<SessionEvent> getTypeClass() {
    return SessionEvent.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<SessionEvent> createSerializer(SerializerConfig config) {
    return SessionEventSerializer.INSTANCE;
  }

  @Override
  public String toString() {
    return "SessionEvent";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SessionEventTypeInfo;
  }

  @Override
  public int hashCode() {
    return SessionEventTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof SessionEventTypeInfo;
  }

  /**
   * Named by {@link SessionEvent}'s {@code @TypeInfo}, so Flink finds it wherever the type goes.
   */
  public static final class Factory extends TypeInfoFactory<SessionEvent> {
    @Override
    public TypeInformation<SessionEvent> createTypeInfo(
        Type type, Map<String, TypeInformation<?>> genericParameters) {
      return new SessionEventTypeInfo();
    }
  }
}
