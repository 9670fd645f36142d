package org.keystonesandbox.stream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionEventTest {
  @Test
  void canonicalUuidIdIsHeldAsTwoLongsAndGivenBackExactly() {
    UUID uuid = UUID.randomUUID();
    SessionEvent event = withId(uuid.toString());

    assertThat(event.idText).isNull();
    assertThat(event.idHigh).isEqualTo(uuid.getMostSignificantBits());
    assertThat(event.idLow).isEqualTo(uuid.getLeastSignificantBits());
    assertThat(event.eventId()).isEqualTo(uuid.toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0B9E2A6C-1F4D-4C3E-9A57-2D8F6E1B3C40",
        "0b9e2a6c-1f4d-4c3e-9a57-2d8f6e1b3c4g",
        "0b9e2a6c-1f4d-4c3e-9a57-2d8f6e1b3c4",
        "0b9e2a6c-1f4d-4c3e-9a57-2d8f6e1b3c400",
        "0b9e2a6c+1f4d-4c3e-9a57-2d8f6e1b3c40",
        "1-1-1-1-1",
        "event-17",
        ""
      })
  void anyOtherIdKeepsItsText(String id) {
    SessionEvent event = withId(id);

    assertThat(event.idText).isEqualTo(id);
    assertThat(event.eventId()).isEqualTo(id);
  }

  private static SessionEvent withId(String id) {
    return new SessionEvent("user", id, "title", 0, 0, 0, 0);
  }
}
