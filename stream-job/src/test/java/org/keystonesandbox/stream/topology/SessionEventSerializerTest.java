package org.keystonesandbox.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionEventSerializerTest {
  private final TypeSerializer<SessionEvent> serializer =
      TypeInformation.of(SessionEvent.class).createSerializer(new SerializerConfigImpl());

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "0b9e2a6c-1f4d-4c3e-9a57-2d8f6e1b3c40",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "what?",
        "é-accented",
        "?é",
        "emoji-\uD83D\uDE00-pair",
        "lone-\uD800-surrogate",
        "ascii-but-longer-than-one-hundred-and-twenty-seven-characters-"
            + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      })
  void everyStringSurvivesTheShuffleExactly(String text) throws IOException {
    SessionEvent sent = new SessionEvent(text, text, text + "-title", 17, 42, 3, 99);
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(sent, out);
    SessionEvent received =
        serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

    assertThat(received).usingRecursiveComparison().isEqualTo(sent);
  }

  @Test
  void flinkFindsTheOwnSerializerForTheType() {
    assertThat(serializer).isSameAs(SessionEventSerializer.INSTANCE);
  }

  @Test
  void serializedRecordCopiesFromOneViewToAnotherUnchanged() throws IOException {
    SessionEvent sent = new SessionEvent("u-1", "e-1", "t-1", 1, 2, 3, 4);
    DataOutputSerializer first = new DataOutputSerializer(64);
    serializer.serialize(sent, first);
    DataOutputSerializer second = new DataOutputSerializer(64);
    serializer.copy(new DataInputDeserializer(first.getCopyOfBuffer()), second);

    assertThat(second.getCopyOfBuffer()).isEqualTo(first.getCopyOfBuffer());
    assertThat(serializer.copy(sent)).isNotSameAs(sent).usingRecursiveComparison().isEqualTo(sent);
  }

  @Test
  void snapshotRestoresTheSameSerializerAndIsCompatible() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
    TypeSerializerSnapshot<SessionEvent> restored =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

    assertThat(restored.restoreSerializer()).isSameAs(SessionEventSerializer.INSTANCE);
    assertThat(
            serializer
                .snapshotConfiguration()
                .resolveSchemaCompatibility(restored)
                .isCompatibleAsIs())
        .isTrue();
  }
}
