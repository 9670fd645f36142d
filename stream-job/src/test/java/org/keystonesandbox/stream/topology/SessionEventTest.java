package org.keystonesandbox.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionEventTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "0b9e2a6c-1f4d-4c3e-9a57-2d8f6e1b3c40",
        "what?",
        "é-accented",
        "?é",
        "emoji-\uD83D\uDE00-pair",
        "lone-\uD800-surrogate",
        "ascii-but-longer-than-one-hundred-and-twenty-seven-characters-"
            + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      })
  void everyStringSurvivesTheShuffleExactly(String text) throws IOException {
    SessionEvent sent = new SessionEvent(text, "id-" + text, text + "-title", 17, 42, 3, 99);
    DataOutputSerializer out = new DataOutputSerializer(64);
    sent.write(out);
    SessionEvent received = new SessionEvent();
    received.read(new DataInputDeserializer(out.getCopyOfBuffer()));

    assertThat(received).usingRecursiveComparison().isEqualTo(sent);
  }
}
