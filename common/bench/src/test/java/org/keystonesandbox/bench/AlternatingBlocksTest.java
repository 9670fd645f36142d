package org.keystonesandbox.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlternatingBlocksTest {
  @Test
  void eachJobBlockIsComparedWithTheMeanOfTheReferenceBlocksAroundIt() {
    // The machine slows down over time: references 100, 80, 60; the job at half of it throughout.
    AlternatingBlocks.Result result =
        AlternatingBlocks.compare(List.of(45.0, 35.0), List.of(100.0, 80.0, 60.0));

    assertThat(result.medianRatio()).isCloseTo(0.5, within(1e-9));
    assertThat(result.lowestRatio()).isCloseTo(0.5, within(1e-9));
    assertThat(result.highestRatio()).isCloseTo(0.5, within(1e-9));
    assertThat(result.blocks()).isEqualTo(2);
    assertThat(result.jobMedian()).isEqualTo(40.0);
    assertThat(result.referenceMedian()).isEqualTo(80.0);
  }

  @Test
  void theMedianRatioAndItsSpreadComeFromTheBlocks() {
    AlternatingBlocks.Result result =
        AlternatingBlocks.compare(List.of(50.0, 90.0, 70.0), List.of(100.0, 100.0, 100.0, 100.0));

    assertThat(result.medianRatio()).isCloseTo(0.7, within(1e-9));
    assertThat(result.lowestRatio()).isCloseTo(0.5, within(1e-9));
    assertThat(result.highestRatio()).isCloseTo(0.9, within(1e-9));
    assertThat(result.line("bronze", "records/s", "read, parse and append", "at least 0.5"))
        .isEqualTo(
            "bronze: 70 records/s = 0.70 of read, parse and append (median of 3 blocks,"
                + " spread 0.50-0.90; goal at least 0.5)");
  }

  @Test
  void runsWarmUpsUncountedThenAlternatesStartingAndEndingWithTheReference() throws Exception {
    Deque<String> order = new ArrayDeque<>();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    AlternatingBlocks blocks =
        new AlternatingBlocks(1, 2, new PrintStream(printed, true, StandardCharsets.UTF_8));

    AlternatingBlocks.Result result =
        blocks.run(
            "job",
            () -> {
              order.add("J");
              return 50;
            },
            "reference",
            () -> {
              order.add("R");
              return 100;
            });

    assertThat(String.join("", order)).isEqualTo("RJ" + "R" + "JR" + "JR");
    assertThat(result.blocks()).isEqualTo(2);
    assertThat(result.medianRatio()).isEqualTo(0.5);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("warm-up 1 (not counted)")
        .contains("block 2: job 50, reference 100");
  }

  @Test
  void aJobBlockWithoutAReferenceOnEachSideIsRefused() {
    assertThatThrownBy(() -> AlternatingBlocks.compare(List.of(1.0, 2.0), List.of(1.0, 2.0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 job and 2 reference blocks");
  }
}
