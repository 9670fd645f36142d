package org.keystonesandbox.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandRunnerTest {
  @Test
  void aCommandThatHangsWithItsOutputOpenFailsAtItsTimeout() {
    long started = System.nanoTime();

    assertThatThrownBy(
            () ->
                CommandRunner.run(
                    Duration.ofSeconds(1), List.of("sh", "-c", "echo started; sleep 30")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("timed out after 1 s")
        .hasMessageContaining("started");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aFailingCommandIsNamedWithItsOutput() {
    assertThatThrownBy(
            () -> CommandRunner.run(Duration.ofSeconds(10), List.of("sh", "-c", "echo no; exit 3")))
        .hasMessageContaining("failed (3)")
        .hasMessageContaining("no");
  }
}
