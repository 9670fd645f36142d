package org.keystonesandbox.sandbox.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.verify.report.Check;
import org.keystonesandbox.verify.report.Report;

class DrainTest {
  @TempDir Path dir;

  private static Report report(Instant at) {
    return Report.of(
        at,
        4.2,
        List.of(
            Check.pass("ground truth", "unique events in the ground truth", 15000),
            Check.compare("gold", "daily title x country rows", "4812 rows", "4811 rows")));
  }

  @Test
  void theVerifiersReportIsReadBackFromItsJsonWithTheTextItPrinted() {
    Path file = dir.resolve("verify").resolve("report.json");
    Report written = report(Instant.parse("2025-03-14T10:22:39Z"));
    written.writeJson(file);

    Report read =
        Drain.reportWrittenSince(file, Instant.parse("2025-03-14T10:20:00Z")).orElseThrow();

    assertThat(read).isEqualTo(written);
    assertThat(read.text()).isEqualTo(written.text()).contains("MISMATCH");
  }

  @Test
  void aReportOlderThanTheVerifiersStartIsAPreviousRunsAndNotUsed() {
    Path file = dir.resolve("report.json");
    report(Instant.parse("2025-03-14T10:22:39Z")).writeJson(file);

    assertThat(Drain.reportWrittenSince(file, Instant.parse("2025-03-14T11:00:00Z"))).isEmpty();
  }

  @Test
  void noReportOrAnUnreadableOneIsNone() throws Exception {
    Path file = dir.resolve("report.json");
    assertThat(Drain.reportWrittenSince(file, Instant.EPOCH)).isEmpty();

    Files.writeString(file, "{\"at\": ");
    assertThat(Drain.reportWrittenSince(file, Instant.EPOCH)).isEmpty();
  }
}
