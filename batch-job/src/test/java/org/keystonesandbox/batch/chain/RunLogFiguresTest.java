package org.keystonesandbox.batch.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.batch.silver.SilverJob;

class RunLogFiguresTest {
  @Test
  void silversRunLogEntryCountsTheRowsSetAsideBeyondTheRepairHorizon() {
    SilverJob.Result result =
        new SilverJob.Result(
            120,
            new TreeSet<>(List.of(LocalDate.parse("2026-03-02"), LocalDate.parse("2026-03-03"))),
            new TreeSet<>(List.of(LocalDate.parse("2026-03-03"))),
            7,
            3);

    assertThat(ChainRunner.figures(result))
        .containsEntry("bronze_rows_read", 120L)
        .containsEntry("event_days", 2)
        .containsEntry("session_days", 1)
        .containsEntry("sessions_written", 7L)
        .containsEntry("set_aside", 3L);
  }
}
