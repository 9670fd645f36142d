package org.keystonesandbox.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.keystonesandbox.events.names.PipelineNames;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The compose stack as a user runs it: {@code docker compose up -d} on the project's image, the
 * verifier's first PASS read from the status view, then the Flink container and Kafka killed and
 * started again, and the verification still exact. Talks to the published ports and runs the
 * compose CLI itself, so it works with Compose v2 and with docker-compose 1.29. Prints the stack's
 * peak memory and the time from {@code up} to the first verified gold.
 */
@Testcontainers(disabledWithoutDocker = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeStackIT {
  private static final Duration FIRST_PASS_TIMEOUT = Duration.ofMinutes(8);
  private static final ComposeProject STACK =
      new ComposeProject(
          "keystoneit", List.of(ComposeProject.file("compose.file")), java.util.Map.of());

  @BeforeAll
  static void build() throws Exception {
    STACK.cleanAndBuild();
  }

  @AfterAll
  static void stop() throws Exception {
    STACK.showAndRemove("chain", "verifier", "flink");
  }

  @Test
  @Order(1)
  void stackVerifiesGoldExactlyWithinMinutesOfUp() throws Exception {
    Instant up = Instant.now();
    STACK.compose(Duration.ofMinutes(5), "up", "-d");
    JsonNode verification = STACK.awaitVerdict("PASS", up, FIRST_PASS_TIMEOUT);
    double seconds = Duration.between(up, Instant.now()).toMillis() / 1e3;
    assertThat(verification.path("checks").toString()).contains("daily title x country rows");
    System.err.printf(
        Locale.ROOT,
        "compose stack: first verified gold %.0f s after up (goal 120 s: ratio %.2f);"
            + " peak memory of all containers %.2f GiB (goal 4 GiB: ratio %.2f)%n",
        seconds,
        seconds / 120,
        STACK.peakMemoryBytes() / (double) (1L << 30),
        STACK.peakMemoryBytes() / (double) (4L << 30));
  }

  @Test
  @Order(2)
  void everyServiceOfTheProjectsImageRunsAsAnUnprivilegedUser() throws Exception {
    for (String service : List.of("catalog", "flink", "chain", "status")) {
      assertThat(STACK.compose(Duration.ofMinutes(1), "exec", "-T", service, "id", "-u").strip())
          .as(service)
          .isEqualTo("10001");
    }
  }

  @Test
  @Order(2)
  void theSqlServiceQueriesTheLakeThroughTheRestCatalog() throws Exception {
    String out =
        STACK.compose(
            Duration.ofMinutes(3),
            "run",
            "--rm",
            "-T",
            "sql",
            "--format",
            "csv",
            "-e",
            "SELECT 'gold' AS name, count(*) AS row_count FROM "
                + String.join(
                    ".",
                    PipelineNames.LAKE_CATALOG,
                    PipelineNames.LAKE_NAMESPACE,
                    PipelineNames.GOLD_TITLE_COUNTRY_DAILY));
    String line =
        out.lines()
            .filter(l -> l.startsWith("gold,"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no result line in: " + out));
    assertThat(Long.parseLong(line.substring("gold,".length()))).isPositive();
  }

  @Test
  @Order(3)
  void killedFlinkContainerAndKafkaRestartAndTheVerificationStaysExact() throws Exception {
    STACK.compose(Duration.ofMinutes(1), "kill", "flink");
    STACK.compose(Duration.ofMinutes(1), "kill", "kafka");
    Instant restarted = Instant.now();
    STACK.compose(Duration.ofMinutes(2), "start", "kafka");
    STACK.compose(Duration.ofMinutes(2), "start", "flink");
    // The verifier re-reads everything after the restart: the sessions topic, read committed,
    // must still hold each session once, with nothing lost.
    Thread.sleep(20_000);
    JsonNode verification = STACK.awaitVerdict("PASS", restarted, FIRST_PASS_TIMEOUT);
    assertThat(verification.path("at").asText()).isNotBlank();
  }
}
