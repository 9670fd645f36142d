package org.keystonesandbox.ingest;

import java.util.EnumMap;
import java.util.Map;
import org.keystonesandbox.ingest.delivery.Malformation;
import org.keystonesandbox.ingest.delivery.OutgoingRecord;

/** Counts of what a run sent, by kind. Updated by the sending thread only. */
public final class RunStats {
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

  public long records() {
    return records;
  }

  public long uniqueEvents() {
    return uniqueEvents;
  }

  public long duplicates() {
    return duplicates;
  }

  public long lateEvents() {
    return lateEvents;
  }

  public long malformed() {
    return malformed;
  }

  public Map<Malformation, Long> malformedByKind() {
    return Map.copyOf(malformedByKind);
  }

  public long bytes() {
    return bytes;
  }

  /** The latest event time among the unique events sent. */
  public long lastEventTs() {
    return lastEventTs;
  }

  public long simClockMs() {
    return simClockMs;
  }
}
