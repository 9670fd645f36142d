package org.keystonesandbox.ingest;

import java.time.Duration;
import org.keystonesandbox.events.Durations;
import picocli.CommandLine;

/** Reads durations in the sandbox's syntax ({@link Durations}). */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
