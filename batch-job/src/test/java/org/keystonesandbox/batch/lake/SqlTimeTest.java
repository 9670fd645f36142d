package org.keystonesandbox.batch.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

class SqlTimeTest {
  @Test
  void aLiteralIsWrittenInUtcWhateverTheJvmsZone() {
    TimeZone jvmZone = TimeZone.getDefault();
    try {
      TimeZone.setDefault(TimeZone.getTimeZone("Asia/Tokyo"));
      assertThat(SqlTime.literal(Instant.parse("2026-01-01T20:00:00.123Z")))
          .isEqualTo("TIMESTAMP '2026-01-01 20:00:00.123'");
    } finally {
      TimeZone.setDefault(jvmZone);
    }
  }
}
