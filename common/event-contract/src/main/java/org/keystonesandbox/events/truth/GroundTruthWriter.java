package org.keystonesandbox.events.truth;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.keystonesandbox.events.PlainCsv;
import org.keystonesandbox.events.ViewingEvent;

/**
 * Appends the unique events a generator sent, one CSV line each, in the order sent. The file is the
 * ground truth an independent checker reads back with {@link GroundTruthReader} (or any CSV
 * reader); it is streamed, so it holds any volume in constant memory. A name ending in {@code .gz}
 * compresses it, at a cost in speed. Not thread-safe.
 *
 * <p>It sits on the generator's hot path, so it encodes bytes itself into one reused buffer instead
 * of going through a {@code Writer}.
 */
public final class GroundTruthWriter implements AutoCloseable {

  /** The columns of contract version 1; files written before version 2 have only these. */
  static final String HEADER_V1 =
      "event_id,user_id,playback_id,title_id,device,country,event_type,position_ms,play_ms,event_ts,sent_ts";

  /** Version 2 adds {@code bitrate_kbps}, empty when the event has none. */
  static final String HEADER = HEADER_V1 + ",bitrate_kbps";

  static final int COLUMNS_V1 = 11;
  static final int COLUMNS = 12;

  private final OutputStream out;
  private final byte[] buffer = new byte[1 << 16];
  private final byte[] digits = new byte[20];
  private int position;
  private long written;

  public GroundTruthWriter(Path file) throws IOException {
    out = PlainCsv.newOutputStream(file);
    byte[] header = HEADER.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(header, 0, buffer, 0, header.length);
    position = header.length;
    buffer[position++] = '\n';
  }

  /** Records one unique event. */
  public void write(ViewingEvent e) {
    if (buffer.length - position < 8192) {
      drain();
    }
    field(e.eventId());
    field(e.userId());
    field(e.playbackId());
    field(e.titleId());
    field(e.device());
    field(e.country());
    field(e.eventType().wireName());
    number(e.positionMs());
    buffer[position++] = ',';
    number(e.playMs());
    buffer[position++] = ',';
    number(e.eventTs());
    buffer[position++] = ',';
    number(e.sentTs());
    buffer[position++] = ',';
    if (e.bitrateKbps() != null) {
      number(e.bitrateKbps());
    }
    buffer[position++] = '\n';
    written++;
  }

  public long written() {
    return written;
  }

  public void flush() throws IOException {
    drain();
    out.flush();
  }

  @Override
  public void close() throws IOException {
    drain();
    out.close();
  }

  private void field(String value) {
    text(value);
    buffer[position++] = ',';
  }

  /** Writes a value, which must be plain CSV (no comma, quote or line break; see PlainCsv). */
  private void text(String value) {
    int length = value.length();
    if (length > 200) {
      throw new IllegalArgumentException("value too long for the ground truth: " + value);
    }
    int start = position;
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c >= 0x80) {
        position = start;
        byte[] utf8 = PlainCsv.checked(value).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(utf8, 0, buffer, position, utf8.length);
        position += utf8.length;
        return;
      }
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        PlainCsv.checked(value); // throws, naming the value
      }
      buffer[position++] = (byte) c;
    }
  }

  private void number(long value) {
    if (value < 0) {
      buffer[position++] = '-';
      if (value == Long.MIN_VALUE) {
        for (byte b : "9223372036854775808".getBytes(StandardCharsets.US_ASCII)) {
          buffer[position++] = b;
        }
        return;
      }
      value = -value;
    }
    int n = 0;
    do {
      digits[n++] = (byte) ('0' + value % 10);
      value /= 10;
    } while (value != 0);
    while (n > 0) {
      buffer[position++] = digits[--n];
    }
  }

  private void drain() {
    try {
      out.write(buffer, 0, position);
      position = 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
