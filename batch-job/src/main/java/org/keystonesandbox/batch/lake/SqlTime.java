package org.keystonesandbox.batch.lake;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Instants as Spark SQL timestamp literals. The session's time zone is UTC, so the literal is
 * written in UTC, whatever the JVM's default zone is.
 */
public final class SqlTime {
  private static final DateTimeFormatter LITERAL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  private SqlTime() {}

  /** {@code TIMESTAMP '2026-01-01 20:00:00.000'}. */
  public static String literal(Instant instant) {
    return "TIMESTAMP '" + text(instant) + "'";
  }

  /** {@code 2026-01-01 20:00:00.000}, for {@code TIMESTAMP AS OF '...'}. */
  public static String text(Instant instant) {
    return LITERAL.format(instant);
  }
}
