package org.keystonesandbox.events.truth;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.keystonesandbox.events.PlainCsv;
import org.keystonesandbox.events.ViewingEvent;

/**
 * Appends the unique events a generator sent, one CSV line each, in the order sent. The file is the
 * ground truth an independent checker reads back with {@link GroundTruthReader}; it is streamed, so
 * it holds any volume in constant memory. Not thread-safe.
 */
public final class GroundTruthWriter implements AutoCloseable {

  static final String HEADER =
      "event_id,user_id,playback_id,title_id,device,country,event_type,position_ms,play_ms,event_ts,sent_ts";
  static final int COLUMNS = 11;

  private final BufferedWriter out;
  private long written;

  public GroundTruthWriter(Path file) throws IOException {
    out = PlainCsv.newWriter(file);
    out.write(HEADER);
    out.newLine();
  }

  /**
   * Records one unique event. Ids come from the generator and are plain tokens, so they are not
   * re-checked for CSV safety on this hot path.
   */
  public void write(ViewingEvent e) {
    try {
      out.write(e.eventId());
      out.write(',');
      out.write(e.userId());
      out.write(',');
      out.write(e.playbackId());
      out.write(',');
      out.write(e.titleId());
      out.write(',');
      out.write(e.device());
      out.write(',');
      out.write(e.country());
      out.write(',');
      out.write(e.eventType().wireName());
      out.write(',');
      out.write(Long.toString(e.positionMs()));
      out.write(',');
      out.write(Long.toString(e.playMs()));
      out.write(',');
      out.write(Long.toString(e.eventTs()));
      out.write(',');
      out.write(Long.toString(e.sentTs()));
      out.write('\n');
      written++;
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  public long written() {
    return written;
  }

  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
