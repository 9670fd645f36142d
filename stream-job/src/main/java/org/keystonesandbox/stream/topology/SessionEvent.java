package org.keystonesandbox.stream.topology;

import java.util.Arrays;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The fields of a valid event that sessionization needs, and nothing else: this is what crosses the
 * network between the parse and the per-user operator, so it is kept small, and it has a serializer
 * of its own ({@link SessionEventSerializer}) for this, the job's only shuffle.
 *
 * <p>The event id is kept as two longs when its text is a UUID in canonical form (36 characters,
 * lowercase hex, as {@link UUID#toString()} writes it): that mapping is one-to-one, so two ids are
 * equal exactly when their texts are, and the job remembers millions of them for deduplication
 * without a string object each. Any other id (upper case, another format) keeps its text.
 */
@TypeInfo(SessionEventTypeInfo.Factory.class)
public class SessionEvent {
  private static final int UUID_LENGTH = 36;

  /** The value of each lowercase hex digit; -1 for every other character below 128. */
  private static final byte[] HEX_DIGIT = new byte[128];

  static {
    Arrays.fill(HEX_DIGIT, (byte) -1);
    for (int digit = 0; digit < 16; digit++) {
      HEX_DIGIT[Character.forDigit(digit, 16)] = (byte) digit;
    }
  }

  public String userId;

  /** The id's high half when it is a canonical UUID, and then {@link #idText} is null. */
  public long idHigh;

  /** The id's low half when it is a canonical UUID. */
  public long idLow;

  /** The id's text when it is not a canonical UUID; null when it is. */
  public String idText;

  public String titleId;
  public long eventTs;
  public long playMs;
  public int partition;
  public long offset;

  public SessionEvent() {}

  public SessionEvent(
      String userId,
      String eventId,
      String titleId,
      long eventTs,
      long playMs,
      int partition,
      long offset) {
    this.userId = userId;
    setEventId(eventId);
    this.titleId = titleId;
    this.eventTs = eventTs;
    this.playMs = playMs;
    this.partition = partition;
    this.offset = offset;
  }

  /** The event id exactly as the event carried it. */
  public String eventId() {
    return idText != null ? idText : new UUID(idHigh, idLow).toString();
  }

  void setEventId(String id) {
    if (id.length() == UUID_LENGTH
        && id.charAt(8) == '-'
        && id.charAt(13) == '-'
        && id.charAt(18) == '-'
        && id.charAt(23) == '-') {
      long a = lowercaseHex(id, 0, 8);
      long b = lowercaseHex(id, 9, 13);
      long c = lowercaseHex(id, 14, 18);
      long d = lowercaseHex(id, 19, 23);
      long e = lowercaseHex(id, 24, 36);
      if ((a | b | c | d | e) >= 0) {
        idHigh = a << 32 | b << 16 | c;
        idLow = d << 48 | e;
        idText = null;
        return;
      }
    }
    idHigh = 0;
    idLow = 0;
    idText = id;
  }

  /** The value of {@code text[from, to)} as lowercase hex digits (at most 15), or -1. */
  private static long lowercaseHex(String text, int from, int to) {
    long value = 0;
    int invalid = 0;
    for (int i = from; i < to; i++) {
      char ch = text.charAt(i);
      int digit = ch < HEX_DIGIT.length ? HEX_DIGIT[ch] : -1;
      invalid |= digit; // any -1 sets the sign bit; no branch per character
      value = value << 4 | (digit & 0xF);
    }
    return invalid < 0 ? -1 : value;
  }

  @Override
  public String toString() {
    return eventId() + "@" + eventTs + "(" + userId + "," + titleId + "," + playMs + "ms)";
  }
}
