package org.keystonesandbox.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

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

  /** Optional, version 2 on: the stream's bitrate in kbit/s when the event happened. */
  public static final String BITRATE_KBPS = "bitrate_kbps";

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

  /** The schema versions this parser accepts. */
  public static final int MIN_SCHEMA_VERSION = ViewingEvent.SCHEMA_V1;

  public static final int MAX_SCHEMA_VERSION = ViewingEvent.SCHEMA_V2;

  /** The largest bitrate a version-2 event may report (1 Gbit/s); anything above is a bad value. */
  public static final int MAX_BITRATE_KBPS = 1_000_000;

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

  /** A Kafka record's timestamp when there is none to judge by (Kafka's own -1). */
  public static final long NO_RECORD_TIMESTAMP = -1;

  /**
   * Parses and validates one record's value without its Kafka timestamp: only the client's own
   * times judge the future. Never throws on bad input.
   */
  public static ParseResult parse(byte[] payload) {
    return parse(payload, NO_RECORD_TIMESTAMP);
  }

  /**
   * Parses and validates one Kafka record's value. Beyond the client's own times, {@code event_ts}
   * and {@code sent_ts} are judged against the record's timestamp, a clock the client does not
   * control (the producer's, a gateway's, or the broker's with {@code LogAppendTime}): a client
   * whose clock runs ahead in both fields is rejected as {@link RejectReason#FUTURE_TIMESTAMP}
   * instead of moving event time. Never throws on bad input.
   *
   * @param recordTimestamp the Kafka record's timestamp, epoch ms; negative when unknown
   */
  public static ParseResult parse(byte[] payload, long recordTimestamp) {
    if (payload == null) {
      return new ParseResult.Rejected(RejectReason.BAD_JSON, "null payload");
    }
    try (JsonParser parser = FACTORY.createParser(payload)) {
      return parse(parser, recordTimestamp);
    } catch (WrongType e) {
      return new ParseResult.Rejected(RejectReason.BAD_VALUE, e.getMessage());
    } catch (JsonProcessingException e) {
      return new ParseResult.Rejected(RejectReason.BAD_JSON, e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ParseResult parse(JsonParser parser, long recordTimestamp) throws IOException {
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
    JsonToken bitrateToken = null;
    Long bitrateKbps = null;
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
        case BITRATE_KBPS -> {
          // Checked once the version is known: version 1 does not define the field.
          bitrateToken = value;
          bitrateKbps = isLong(parser, value) ? parser.getLongValue() : null;
          parser.skipChildren();
        }
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
    if (schemaVersion < MIN_SCHEMA_VERSION || schemaVersion > MAX_SCHEMA_VERSION) {
      return new ParseResult.Rejected(
          RejectReason.UNSUPPORTED_VERSION, SCHEMA_VERSION + "=" + schemaVersion);
    }
    Integer bitrate = null;
    if (schemaVersion >= ViewingEvent.SCHEMA_V2 && bitrateToken != null) {
      if (bitrateKbps == null) {
        return new ParseResult.Rejected(
            RejectReason.BAD_VALUE, BITRATE_KBPS + " is not a 64-bit integer");
      }
      if (bitrateKbps < 1 || bitrateKbps > MAX_BITRATE_KBPS) {
        return new ParseResult.Rejected(
            RejectReason.BAD_VALUE,
            BITRATE_KBPS + "=" + bitrateKbps + " outside 1.." + MAX_BITRATE_KBPS);
      }
      bitrate = bitrateKbps.intValue();
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
    if (recordTimestamp >= 0) {
      long latest = Math.max(eventTs, sentTs);
      if (latest > recordTimestamp + MAX_CLOCK_SKEW.toMillis()) {
        return new ParseResult.Rejected(
            RejectReason.FUTURE_TIMESTAMP,
            (latest == eventTs ? EVENT_TS : SENT_TS)
                + " "
                + Instant.ofEpochMilli(latest)
                + " after the record's Kafka timestamp "
                + Instant.ofEpochMilli(recordTimestamp));
      }
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
            sentTs,
            bitrate));
  }

  private static long longValue(JsonParser parser, JsonToken value) throws IOException {
    if (!isLong(parser, value)) {
      throw new WrongType(parser.currentName() + " is not a 64-bit integer");
    }
    return parser.getLongValue();
  }

  private static boolean isLong(JsonParser parser, JsonToken value) throws IOException {
    return value == JsonToken.VALUE_NUMBER_INT
        && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
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

  /**
   * Writes events as compact JSON into a reused buffer. Not thread-safe.
   *
   * <p>Hand-written rather than a Jackson {@code JsonGenerator}: the schema is fixed, this runs
   * once per record on the generator's hot path, and writing bytes directly is several times
   * faster. Strings are escaped per RFC 8259 (non-ASCII strings through Jackson's own {@link
   * JsonStringEncoder}); {@code ViewingEventJsonTest} checks the output against Jackson's parser.
   */
  public static final class Encoder {
    private static final byte[][] NAMES =
        Stream.concat(REQUIRED_FIELDS.stream(), Stream.of(BITRATE_KBPS))
            .map(name -> ("\"" + name + "\":").getBytes(StandardCharsets.US_ASCII))
            .toArray(byte[][]::new);
    private static final int BITRATE_INDEX = REQUIRED_FIELDS.size();
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] buffer = new byte[512];
    private int position;
    private boolean firstField;

    private Encoder() {}

    /** The event's JSON bytes. */
    public byte[] encode(ViewingEvent event) {
      return encode(event, -1, event.eventTs());
    }

    /**
     * The event's JSON with one field left out ({@code null}: none) and the event time replaced:
     * how the generator forges records that break the contract in a known way.
     */
    public byte[] encodeAltered(ViewingEvent event, String omittedField, long eventTs) {
      return encode(
          event, omittedField == null ? -1 : REQUIRED_FIELDS.indexOf(omittedField), eventTs);
    }

    private byte[] encode(ViewingEvent e, int omit, long eventTs) {
      position = 0;
      firstField = true;
      ensure(2);
      buffer[position++] = '{';
      numberField(0, e.schemaVersion(), omit);
      stringField(1, e.eventId(), omit);
      stringField(2, e.userId(), omit);
      stringField(3, e.playbackId(), omit);
      stringField(4, e.titleId(), omit);
      stringField(5, e.device(), omit);
      stringField(6, e.country(), omit);
      stringField(7, e.eventType().wireName(), omit);
      numberField(8, e.positionMs(), omit);
      numberField(9, e.playMs(), omit);
      numberField(10, eventTs, omit);
      numberField(11, e.sentTs(), omit);
      if (e.bitrateKbps() != null) {
        numberField(BITRATE_INDEX, e.bitrateKbps(), omit);
      }
      ensure(1);
      buffer[position++] = '}';
      return Arrays.copyOf(buffer, position);
    }

    private void name(int index) {
      byte[] name = NAMES[index];
      ensure(name.length + 1);
      if (!firstField) {
        buffer[position++] = ',';
      }
      firstField = false;
      System.arraycopy(name, 0, buffer, position, name.length);
      position += name.length;
    }

    private void stringField(int index, String value, int omit) {
      if (index == omit) {
        return;
      }
      name(index);
      int length = value.length();
      ensure(6 * length + 2);
      int start = position;
      buffer[position++] = '"';
      for (int i = 0; i < length; i++) {
        char c = value.charAt(i);
        if (c >= 0x80) {
          position = start;
          byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(value);
          ensure(quoted.length + 2);
          buffer[position++] = '"';
          System.arraycopy(quoted, 0, buffer, position, quoted.length);
          position += quoted.length;
          break;
        } else if (c == '"' || c == '\\') {
          buffer[position++] = '\\';
          buffer[position++] = (byte) c;
        } else if (c < 0x20) {
          buffer[position++] = '\\';
          buffer[position++] = 'u';
          buffer[position++] = '0';
          buffer[position++] = '0';
          buffer[position++] = HEX[c >> 4];
          buffer[position++] = HEX[c & 0xF];
        } else {
          buffer[position++] = (byte) c;
        }
      }
      buffer[position++] = '"';
    }

    private void numberField(int index, long value, int omit) {
      if (index == omit) {
        return;
      }
      name(index);
      ensure(20);
      if (value < 0) {
        if (value == Long.MIN_VALUE) {
          byte[] min = Long.toString(value).getBytes(StandardCharsets.US_ASCII);
          System.arraycopy(min, 0, buffer, position, min.length);
          position += min.length;
          return;
        }
        buffer[position++] = '-';
        value = -value;
      }
      int digits = 1;
      for (long rest = value / 10; rest != 0; rest /= 10) {
        digits++;
      }
      int end = position + digits;
      for (int i = end - 1; i >= position; i--) {
        buffer[i] = (byte) ('0' + value % 10);
        value /= 10;
      }
      position = end;
    }

    private void ensure(int more) {
      if (position + more > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + more));
      }
    }
  }
}
