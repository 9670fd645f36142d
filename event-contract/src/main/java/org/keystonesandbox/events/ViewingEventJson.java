package org.keystonesandbox.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The JSON form of a {@link ViewingEvent} and the validation every consumer applies to it.
 *
 * <p>The encoder is streaming and reuses its buffers (one per thread: {@link #newEncoder()}); the
 * parser is thread-safe. Both use Jackson's streaming API rather than data binding because they sit
 * on every hot path of the pipeline.
 */
public final class ViewingEventJson {

  public static final String SCHEMA_VERSION = "schema_version";
  public static final String EVENT_ID = "event_id";
  public static final String USER_ID = "user_id";
  public static final String PLAYBACK_ID = "playback_id";
  public static final String TITLE_ID = "title_id";
  public static final String DEVICE = "device";
  public static final String COUNTRY = "country";
  public static final String EVENT_TYPE = "event_type";
  public static final String POSITION_MS = "position_ms";
  public static final String PLAY_MS = "play_ms";
  public static final String EVENT_TS = "event_ts";
  public static final String SENT_TS = "sent_ts";

  /** Every field the contract requires, in the order the encoder writes them. */
  public static final List<String> REQUIRED_FIELDS =
      List.of(
          SCHEMA_VERSION,
          EVENT_ID,
          USER_ID,
          PLAYBACK_ID,
          TITLE_ID,
          DEVICE,
          COUNTRY,
          EVENT_TYPE,
          POSITION_MS,
          PLAY_MS,
          EVENT_TS,
          SENT_TS);

  /** How far {@code event_ts} may run ahead of {@code sent_ts} (client clocks drift). */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofHours(1);

  /** Event times before this are absurd for this contract. */
  public static final long MIN_TIMESTAMP_MS = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();

  private static final JsonFactory FACTORY = new JsonFactory();

  private ViewingEventJson() {}

  /** A new encoder; not thread-safe, meant to be reused for many events by one thread. */
  public static Encoder newEncoder() {
    return new Encoder();
  }

  /** Parses and validates one record's value. Never throws on bad input. */
  public static ParseResult parse(byte[] payload) {
    if (payload == null) {
      return new ParseResult.Rejected(RejectReason.BAD_JSON, "null payload");
    }
    try (JsonParser parser = FACTORY.createParser(payload)) {
      return parse(parser);
    } catch (WrongType e) {
      return new ParseResult.Rejected(RejectReason.BAD_VALUE, e.getMessage());
    } catch (JsonProcessingException e) {
      return new ParseResult.Rejected(RejectReason.BAD_JSON, e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ParseResult parse(JsonParser parser) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      return new ParseResult.Rejected(RejectReason.BAD_JSON, "not a JSON object");
    }
    Long schemaVersion = null;
    String eventId = null;
    String userId = null;
    String playbackId = null;
    String titleId = null;
    String device = null;
    String country = null;
    String eventType = null;
    Long positionMs = null;
    Long playMs = null;
    Long eventTs = null;
    Long sentTs = null;
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if (value == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case SCHEMA_VERSION -> schemaVersion = longValue(parser, value);
        case EVENT_ID -> eventId = textValue(parser, value);
        case USER_ID -> userId = textValue(parser, value);
        case PLAYBACK_ID -> playbackId = textValue(parser, value);
        case TITLE_ID -> titleId = textValue(parser, value);
        case DEVICE -> device = textValue(parser, value);
        case COUNTRY -> country = textValue(parser, value);
        case EVENT_TYPE -> eventType = textValue(parser, value);
        case POSITION_MS -> positionMs = longValue(parser, value);
        case PLAY_MS -> playMs = longValue(parser, value);
        case EVENT_TS -> eventTs = longValue(parser, value);
        case SENT_TS -> sentTs = longValue(parser, value);
        default -> parser.skipChildren();
      }
    }
    if (token != JsonToken.END_OBJECT) {
      return new ParseResult.Rejected(RejectReason.BAD_JSON, "malformed object");
    }
    if (parser.nextToken() != null) {
      return new ParseResult.Rejected(RejectReason.BAD_JSON, "trailing content after the object");
    }
    String missing =
        firstMissing(
            schemaVersion,
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
            sentTs);
    if (missing != null) {
      return new ParseResult.Rejected(RejectReason.MISSING_FIELD, missing);
    }
    if (schemaVersion != ViewingEvent.SCHEMA_VERSION) {
      return new ParseResult.Rejected(
          RejectReason.UNSUPPORTED_VERSION, SCHEMA_VERSION + "=" + schemaVersion);
    }
    EventType type = EventType.fromWireName(eventType);
    if (type == null) {
      return new ParseResult.Rejected(RejectReason.BAD_VALUE, EVENT_TYPE + "=" + eventType);
    }
    if (positionMs < 0 || playMs < 0) {
      return new ParseResult.Rejected(
          RejectReason.BAD_VALUE, positionMs < 0 ? POSITION_MS + " < 0" : PLAY_MS + " < 0");
    }
    if (eventTs < MIN_TIMESTAMP_MS || sentTs < MIN_TIMESTAMP_MS) {
      return new ParseResult.Rejected(
          RejectReason.BAD_VALUE,
          (eventTs < MIN_TIMESTAMP_MS ? EVENT_TS : SENT_TS) + " before 2000");
    }
    if (eventTs > sentTs + MAX_CLOCK_SKEW.toMillis()) {
      return new ParseResult.Rejected(
          RejectReason.FUTURE_TIMESTAMP,
          EVENT_TS
              + " "
              + Instant.ofEpochMilli(eventTs)
              + " after "
              + SENT_TS
              + " "
              + Instant.ofEpochMilli(sentTs));
    }
    return new ParseResult.Valid(
        new ViewingEvent(
            eventId,
            userId,
            playbackId,
            titleId,
            device,
            country,
            type,
            positionMs,
            playMs,
            eventTs,
            sentTs));
  }

  private static long longValue(JsonParser parser, JsonToken value) throws IOException {
    if (value != JsonToken.VALUE_NUMBER_INT
        || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw new WrongType(parser.currentName() + " is not a 64-bit integer");
    }
    return parser.getLongValue();
  }

  private static String textValue(JsonParser parser, JsonToken value) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw new WrongType(parser.currentName() + " is not a string");
    }
    String text = parser.getText();
    return text.isEmpty() ? null : text;
  }

  /** A field of the wrong JSON type; thrown only on bad input, so without a stack trace. */
  private static final class WrongType extends RuntimeException {
    WrongType(String message) {
      super(message, null, false, false);
    }
  }

  private static String firstMissing(Object... values) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        return REQUIRED_FIELDS.get(i);
      }
    }
    return null;
  }

  /** Writes events as compact JSON into reused buffers. Not thread-safe. */
  public static final class Encoder {
    private final ByteArrayBuilder buffer = new ByteArrayBuilder(512);
    private final JsonGenerator json;

    private Encoder() {
      try {
        json = FACTORY.createGenerator(buffer);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      json.setRootValueSeparator(null);
    }

    /** The event's JSON bytes. */
    public byte[] encode(ViewingEvent event) {
      return encode(event, null, event.eventTs());
    }

    /**
     * The event's JSON with one field left out and the event time replaced: how the generator
     * forges records that break the contract in a known way.
     */
    public byte[] encodeAltered(ViewingEvent event, String omittedField, long eventTs) {
      return encode(event, omittedField, eventTs);
    }

    private byte[] encode(ViewingEvent e, String omit, long eventTs) {
      try {
        json.writeStartObject();
        numberField(SCHEMA_VERSION, ViewingEvent.SCHEMA_VERSION, omit);
        stringField(EVENT_ID, e.eventId(), omit);
        stringField(USER_ID, e.userId(), omit);
        stringField(PLAYBACK_ID, e.playbackId(), omit);
        stringField(TITLE_ID, e.titleId(), omit);
        stringField(DEVICE, e.device(), omit);
        stringField(COUNTRY, e.country(), omit);
        stringField(EVENT_TYPE, e.eventType().wireName(), omit);
        numberField(POSITION_MS, e.positionMs(), omit);
        numberField(PLAY_MS, e.playMs(), omit);
        numberField(EVENT_TS, eventTs, omit);
        numberField(SENT_TS, e.sentTs(), omit);
        json.writeEndObject();
        json.flush();
        byte[] bytes = buffer.toByteArray();
        buffer.reset();
        return bytes;
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }

    private void stringField(String name, String value, String omit) throws IOException {
      if (!name.equals(omit)) {
        json.writeStringField(name, value);
      }
    }

    private void numberField(String name, long value, String omit) throws IOException {
      if (!name.equals(omit)) {
        json.writeNumberField(name, value);
      }
    }
  }
}
