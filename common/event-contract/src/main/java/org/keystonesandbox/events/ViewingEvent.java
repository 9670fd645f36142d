package org.keystonesandbox.events;

import java.util.Objects;

/**
 * One viewing event, as the contract in DESIGN.md defines it. Times are epoch milliseconds, UTC.
 *
 * @param eventId stable across retries: duplicates carry the same id
 * @param userId the Kafka key
 * @param playbackId one play of one title, from start to stop
 * @param positionMs position in the title's runtime when the event happened
 * @param playMs milliseconds played since the previous event of the same playback (0 for play
 *     start, seek and resume)
 * @param eventTs when the event happened (event time)
 * @param sentTs when the client sent this copy of it
 */
public record ViewingEvent(
    String eventId,
    String userId,
    String playbackId,
    String titleId,
    String device,
    String country,
    EventType eventType,
    long positionMs,
    long playMs,
    long eventTs,
    long sentTs) {

  /** The only schema version this contract defines so far. */
  public static final int SCHEMA_VERSION = 1;

  public ViewingEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(playbackId, "playbackId");
    Objects.requireNonNull(titleId, "titleId");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(country, "country");
    Objects.requireNonNull(eventType, "eventType");
  }

  /** The same event as re-sent at another time, as a client retry does. */
  public ViewingEvent withSentTs(long newSentTs) {
    return new ViewingEvent(
        eventId,
        userId,
        playbackId,
        titleId,
        device,
        country,
        eventType,
        positionMs,
        playMs,
        eventTs,
        newSentTs);
  }
}
