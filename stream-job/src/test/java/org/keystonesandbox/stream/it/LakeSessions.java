package org.keystonesandbox.stream.it;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.keystonesandbox.oracle.ReferenceSession;
import org.keystonesandbox.stream.LakeSinkSettings;
import org.keystonesandbox.stream.lake.SessionsTable;

/** The rt_sessions table as Iceberg's own reader returns it, deletes applied. */
final class LakeSessions {
  private LakeSessions() {}

  static List<ReferenceSession> read(LakeSinkSettings lake) throws IOException {
    Table table =
        SessionsTable.catalogLoader(lake).loadCatalog().loadTable(SessionsTable.identifier(lake));
    List<ReferenceSession> sessions = new ArrayList<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
      for (Record row : rows) {
        @SuppressWarnings("unchecked")
        List<String> titles = (List<String>) row.getField("titles");
        sessions.add(
            new ReferenceSession(
                (String) row.getField("user_id"),
                epochMillis(row.getField("session_start")),
                epochMillis(row.getField("session_end")),
                (Integer) row.getField("events"),
                (Long) row.getField("watch_ms"),
                List.copyOf(titles)));
      }
    }
    sessions.sort(
        Comparator.comparing(ReferenceSession::userId).thenComparingLong(ReferenceSession::start));
    return sessions;
  }

  private static long epochMillis(Object timestamptz) {
    return ((OffsetDateTime) timestamptz).toInstant().toEpochMilli();
  }
}
