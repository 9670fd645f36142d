package org.keystonesandbox.events;

/** What a playback event reports. The wire form is the lower-case name, e.g. {@code play_start}. */
public enum EventType {
  PLAY_START,
  HEARTBEAT,
  PAUSE,
  RESUME,
  SEEK,
  STOP;

  private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

  public String wireName() {
    return wireName;
  }

  /** The event type for a wire name, or {@code null} if the name is not one. */
  public static EventType fromWireName(String name) {
    for (EventType type : values()) {
      if (type.wireName.equals(name)) {
        return type;
      }
    }
    return null;
  }
}
