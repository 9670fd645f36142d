package org.keystonesandbox.stream;

import java.util.ArrayList;
import java.util.List;

/** The job's settings for one bounded run in a test or benchmark that shares its broker. */
public final class BoundedRunSettings {
  private BoundedRunSettings() {}

  /**
   * Reads {@code eventsTopic} to its end offsets at start-up, writes to topics named after {@code
   * name} with its own group and transactional ids, holds no watermark back for idle partitions and
   * never restarts; {@code more} flags come last.
   */
  public static StreamJobSettings parse(
      String bootstrapServers, String eventsTopic, String name, String... more) {
    List<String> args = new ArrayList<>(List.of("--bounded"));
    args.addAll(List.of(more));
    return parseLive(bootstrapServers, eventsTopic, name, args.toArray(new String[0]));
  }

  /** As {@link #parse}, but the job reads on after the end offsets of its start-up: it runs on. */
  public static StreamJobSettings parseLive(
      String bootstrapServers, String eventsTopic, String name, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap-server",
                bootstrapServers,
                "--events-topic",
                eventsTopic,
                "--sessions-topic",
                name + "-sessions",
                "--late-topic",
                name + "-late",
                "--dlq-topic",
                name + "-dlq",
                "--group-id",
                name,
                "--transactional-id-prefix",
                name,
                "--idleness",
                "0s",
                "--flink-conf",
                "restart-strategy.type=none"));
    args.addAll(List.of(more));
    return StreamJobCommand.parseSettings(args.toArray(new String[0]));
  }
}
