package org.keystonesandbox.cli;

import org.keystonesandbox.events.names.PipelineNames;
import picocli.CommandLine.Option;

/**
 * The stream job's topics, as the stream job and the commands that read its input and outputs take
 * them (a mixin): {@code --events-topic}, {@code --sessions-topic}, {@code --late-topic}, {@code
 * --dlq-topic}, each defaulting to its {@link PipelineNames} name.
 */
public final class StreamTopicsOptions {
  @Option(
      names = "--events-topic",
      defaultValue = PipelineNames.EVENTS_TOPIC,
      description = "the events, the stream job's input (default: ${DEFAULT-VALUE})")
  private String events;

  @Option(
      names = "--sessions-topic",
      defaultValue = PipelineNames.SESSIONS_TOPIC,
      description = "sessions, an upsert log keyed by user (default: ${DEFAULT-VALUE})")
  private String sessions;

  @Option(
      names = "--late-topic",
      defaultValue = PipelineNames.LATE_TOPIC,
      description = "events later than the allowed lateness (default: ${DEFAULT-VALUE})")
  private String late;

  @Option(
      names = "--dlq-topic",
      defaultValue = PipelineNames.DEAD_LETTER_TOPIC,
      description = "malformed records, unchanged, reason in headers (default: ${DEFAULT-VALUE})")
  private String deadLetters;

  public String events() {
    return events;
  }

  public String sessions() {
    return sessions;
  }

  public String late() {
    return late;
  }

  public String deadLetters() {
    return deadLetters;
  }
}
