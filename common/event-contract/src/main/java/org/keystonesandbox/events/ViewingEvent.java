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
 * @param bitrateKbps the stream's bitrate when the event happened, reported by clients of contract
 *     version 2; {@code null} when the client did not report it (every version-1 client)
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
    long sentTs,
    Integer bitrateKbps) {

  /** The first version of the contract: the fields every event carries. */
  public static final int SCHEMA_V1 = 1;

  /** Version 1 plus the optional {@code bitrate_kbps}. */
  public static final int SCHEMA_V2 = 2;

  /** An event of contract version 1: no bitrate. */
  public ViewingEvent(
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
    this(
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
        sentTs,
        null);
  }

  public ViewingEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(playbackId, "playbackId");
    Objects.requireNonNull(titleId, "titleId");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(country, "country");
    Objects.requireNonNull(eventType, "eventType");
  }

  /**
   * The contract version this event is written with: the lowest one that holds all its fields, so
   * that an event without a bitrate reads the same to a consumer that knows only version 1.
   */
  public int schemaVersion() {
    return bitrateKbps == null ? SCHEMA_V1 : SCHEMA_V2;
  }

  /** The same event as a version-2 client reports it, with its bitrate. */
  public ViewingEvent withBitrateKbps(Integer newBitrateKbps) {
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
        sentTs,
        newBitrateKbps);
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
        newSentTs,
        bitrateKbps);
  }
}
