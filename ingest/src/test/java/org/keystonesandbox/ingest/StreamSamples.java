package org.keystonesandbox.ingest;

import java.util.ArrayList;
import java.util.List;
import org.keystonesandbox.ingest.delivery.EventStream;
import org.keystonesandbox.ingest.delivery.OutgoingRecord;

/** Generator streams for tests, built from command-line flags as a user would give them. */
final class StreamSamples {
  private StreamSamples() {}

  static GeneratorSettings settings(String... flags) {
    return GeneratorCommand.parseSettings(flags);
  }

  static List<OutgoingRecord> records(String... flags) {
    EventStream stream = GeneratorRun.eventStream(settings(flags));
    List<OutgoingRecord> records = new ArrayList<>();
    OutgoingRecord record;
    while ((record = stream.next()) != null) {
      records.add(record);
    }
    return records;
  }
}
