package org.keystonesandbox.events.truth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.keystonesandbox.events.EventType;
import org.keystonesandbox.events.PlainCsv;
import org.keystonesandbox.events.ViewingEvent;

/**
 * Streams the events of a ground-truth file back, one at a time, in constant memory.
 *
 * <pre>{@code
 * try (GroundTruthReader truth = GroundTruthReader.open(path)) {
 *   for (ViewingEvent e : truth) { ... }
 * }
 * }</pre>
 */
public final class GroundTruthReader implements Iterable<ViewingEvent>, AutoCloseable {

  private final Path file;
  private final BufferedReader in;
  private final int columns;
  private boolean iterated;

  private GroundTruthReader(Path file, BufferedReader in, int columns) {
    this.file = file;
    this.in = in;
    this.columns = columns;
  }

  /** Opens a file of either layout: version 2's, or version 1's without {@code bitrate_kbps}. */
  public static GroundTruthReader open(Path file) throws IOException {
    BufferedReader in = PlainCsv.newReader(file);
    try {
      String header = in.readLine();
      if (GroundTruthWriter.HEADER_V1.equals(header)) {
        return new GroundTruthReader(file, in, GroundTruthWriter.COLUMNS_V1);
      }
      PlainCsv.requireHeader(header, GroundTruthWriter.HEADER, file);
      return new GroundTruthReader(file, in, GroundTruthWriter.COLUMNS);
    } catch (RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** The events in file order; can be iterated once. */
  @Override
  public Iterator<ViewingEvent> iterator() {
    if (iterated) {
      throw new IllegalStateException("a ground-truth reader can be iterated once");
    }
    iterated = true;
    return new Iterator<>() {
      private long lineNumber = 1;
      private String next = readLine();

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public ViewingEvent next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        ViewingEvent event = parse(next, ++lineNumber);
        next = readLine();
        return event;
      }
    };
  }

  private String readLine() {
    try {
      return in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ViewingEvent parse(String line, long lineNumber) {
    String[] f = PlainCsv.split(line, columns, file, lineNumber);
    EventType type = EventType.fromWireName(f[6]);
    if (type == null) {
      throw new IllegalArgumentException(file + ":" + lineNumber + ": unknown event type " + f[6]);
    }
    return new ViewingEvent(
        f[0],
        f[1],
        f[2],
        f[3],
        f[4],
        f[5],
        type,
        Long.parseLong(f[7]),
        Long.parseLong(f[8]),
        Long.parseLong(f[9]),
        Long.parseLong(f[10]),
        columns > GroundTruthWriter.COLUMNS_V1 && !f[11].isEmpty() ? Integer.valueOf(f[11]) : null);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
