package org.keystonesandbox.events;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The CSV dialect of the files the generator writes for other stages: a header line, comma
 * separated, no quoting. Every value in the contract is free of commas, quotes and line breaks, and
 * the writers check it, so any CSV reader (Spark, DuckDB, a spreadsheet) reads them as is. A file
 * whose name ends in {@code .gz} is gzip-compressed.
 */
public final class PlainCsv {

  private PlainCsv() {}

  /** What writes a file's lines. */
  @FunctionalInterface
  public interface Lines {
    void writeTo(BufferedWriter out) throws IOException;
  }

  /**
   * Writes {@code file} whole or not at all, for files whose existence tells a reader it may start
   * (the title catalog): beside it under a temporary name, then renamed over it in one step. A
   * failure while writing leaves the old file (or none) and no temporary file. The same as {@code
   * org.keystonesandbox.cli.AtomicFiles}, which this module cannot use (that one depends on it).
   */
  public static void writeAtomically(Path file, Lines lines) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path partial = Files.createTempFile(dir, "." + file.getFileName(), ".partial");
    try {
      try (BufferedWriter out = newWriter(partial)) {
        lines.writeTo(out);
      }
      Files.move(
          partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  public static BufferedWriter newWriter(Path file) throws IOException {
    return new BufferedWriter(
        new OutputStreamWriter(newOutputStream(file), StandardCharsets.UTF_8), 1 << 16);
  }

  /** A raw stream for writers that encode their own bytes; gzip-compressed for {@code .gz}. */
  public static OutputStream newOutputStream(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    OutputStream out = Files.newOutputStream(file);
    return isGzip(file) ? new FastGzipOutputStream(out) : out;
  }

  public static BufferedReader newReader(Path file) throws IOException {
    InputStream in = Files.newInputStream(file);
    if (isGzip(file)) {
      in = new GZIPInputStream(in, 1 << 16);
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
  }

  /** Splits a line into exactly {@code expected} fields, or throws naming the file's line. */
  public static String[] split(String line, int expected, Path file, long lineNumber) {
    String[] fields = line.split(",", -1);
    if (fields.length != expected) {
      throw new IllegalArgumentException(
          file
              + ":"
              + lineNumber
              + ": expected "
              + expected
              + " fields but found "
              + fields.length);
    }
    return fields;
  }

  /** Checks that a value can be written unquoted. */
  public static String checked(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        throw new IllegalArgumentException("value not writable as plain CSV: " + value);
      }
    }
    return value;
  }

  /** Checks the header line of a file against the one this code writes. */
  public static void requireHeader(String actual, String expected, Path file) {
    if (!expected.equals(actual)) {
      throw new IllegalArgumentException(
          file + ": unexpected header '" + actual + "', expected '" + expected + "'");
    }
  }

  private static boolean isGzip(Path file) {
    return file.getFileName().toString().endsWith(".gz");
  }

  /** Gzip at the fastest level: these files are written on the generator's hot path. */
  private static final class FastGzipOutputStream extends GZIPOutputStream {
    FastGzipOutputStream(OutputStream out) throws IOException {
      super(out, 1 << 16);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }
}
