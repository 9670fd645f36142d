package org.keystonesandbox.stream.topology;

import java.util.Objects;

/** An event id as {@link SessionEvent} holds it: the key of {@link SeenIdsLayout#ENTRY_PER_ID}. */
public class SeenId {
  public long high;
  public long low;

  /** The id's text when it is not a canonical UUID; null when it is. */
  public String text;

  public SeenId() {}

  static SeenId of(SessionEvent event) {
    SeenId id = new SeenId();
    id.high = event.idHigh;
    id.low = event.idLow;
    id.text = event.idText;
    return id;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SeenId id
        && high == id.high
        && low == id.low
        && Objects.equals(text, id.text);
  }

  @Override
  public int hashCode() {
    return Objects.hash(high, low, text);
  }
}
