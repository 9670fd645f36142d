package org.keystonesandbox.ingest;

import java.util.EnumMap;
import java.util.Map;
import org.keystonesandbox.ingest.delivery.Malformation;
import org.keystonesandbox.ingest.delivery.OutgoingRecord;

/** Counts of what a run sent, by kind. Updated and read by the sending thread only. */
final class RunStats {
  long records;
  long bytes;
  long uniqueEvents;
  long duplicates;
  long lateEvents;
  long malformed;
  final Map<Malformation, Long> malformedByKind = new EnumMap<>(Malformation.class);
  long simClockMs;
  long lastEventTs;

  void count(OutgoingRecord record, int valueBytes) {
    records++;
    bytes += valueBytes;
    simClockMs = record.arrivalTs();
    switch (record.kind()) {
      case ORIGINAL -> {
        uniqueEvents++;
        lastEventTs = Math.max(lastEventTs, record.event().eventTs());
        if (record.late()) {
          lateEvents++;
        }
      }
      case DUPLICATE -> duplicates++;
      case MALFORMED -> {
        malformed++;
        malformedByKind.merge(record.malformation(), 1L, Long::sum);
      }
    }
  }

  Map<Malformation, Long> malformedByKind() {
    return Map.copyOf(malformedByKind);
  }
}
