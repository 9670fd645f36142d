package org.keystonesandbox.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
  private static final String PROJECT = "keystoneit";
  private static final Duration FIRST_PASS_TIMEOUT = Duration.ofMinutes(8);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private static final Path COMPOSE_FILE = Path.of(System.getProperty("compose.file"));
  private static long peakMemoryBytes;

  @BeforeAll
  static void buildAndStart() throws Exception {
    compose(Duration.ofMinutes(5), "down", "-v", "--remove-orphans");
    compose(Duration.ofMinutes(10), "build");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      compose(Duration.ofMinutes(1), "ps");
      compose(Duration.ofMinutes(2), "logs", "--tail=30", "chain", "verifier", "flink");
    } finally {
      compose(Duration.ofMinutes(5), "down", "-v", "--remove-orphans");
    }
  }

  @Test
  @Order(1)
  void stackVerifiesGoldExactlyWithinMinutesOfUp() throws Exception {
    Instant up = Instant.now();
    compose(Duration.ofMinutes(5), "up", "-d");
    JsonNode verification = awaitVerdict("PASS", up);
    double seconds = Duration.between(up, Instant.now()).toMillis() / 1e3;
    assertThat(verification.path("checks").toString()).contains("daily title x country rows");
    System.err.printf(
        Locale.ROOT,
        "compose stack: first verified gold %.0f s after up (goal 120 s: ratio %.2f);"
            + " peak memory of all containers %.2f GiB (goal 4 GiB: ratio %.2f)%n",
        seconds,
        seconds / 120,
        peakMemoryBytes / (double) (1L << 30),
        peakMemoryBytes / (double) (4L << 30));
  }

  @Test
  @Order(2)
  void everyServiceOfTheProjectsImageRunsAsAnUnprivilegedUser() throws Exception {
    for (String service : List.of("catalog", "flink", "chain", "status")) {
      assertThat(compose(Duration.ofMinutes(1), "exec", "-T", service, "id", "-u").strip())
          .as(service)
          .isEqualTo("10001");
    }
  }

  @Test
  @Order(2)
  void theSqlServiceQueriesTheLakeThroughTheRestCatalog() throws Exception {
    String out =
        compose(
            Duration.ofMinutes(3),
            "run",
            "--rm",
            "-T",
            "sql",
            "--format",
            "csv",
            "-e",
            "SELECT 'gold' AS name, count(*) AS row_count"
                + " FROM lake.keystone.gold_title_country_daily");
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
    compose(Duration.ofMinutes(1), "kill", "flink");
    compose(Duration.ofMinutes(1), "kill", "kafka");
    Instant restarted = Instant.now();
    compose(Duration.ofMinutes(2), "start", "kafka");
    compose(Duration.ofMinutes(2), "start", "flink");
    // The verifier re-reads everything after the restart: the sessions topic, read committed,
    // must still hold each session once, with nothing lost.
    Thread.sleep(20_000);
    JsonNode verification = awaitVerdict("PASS", restarted);
    assertThat(verification.path("at").asText()).isNotBlank();
  }

  /** Polls the status view until the verifier reports {@code verdict}; samples memory meanwhile. */
  private static JsonNode awaitVerdict(String verdict, Instant since) throws Exception {
    long deadline = System.nanoTime() + FIRST_PASS_TIMEOUT.toNanos();
    String last = "no status yet";
    while (System.nanoTime() < deadline) {
      sampleMemory();
      try {
        JsonNode status = status();
        JsonNode verification = status.path("verification");
        last =
            String.format(
                "produced %s, stream lag %s, batch lag %s, verdict %s",
                status.path("generator").path("records"),
                status.path("stream").path("lag"),
                status.path("batch").path("lag"),
                verification.path("verdict").asText("none"));
        String at = verification.path("at").asText("");
        boolean fresh = !at.isEmpty() && Instant.parse(at).isAfter(since);
        if (fresh && verdict.equals(verification.path("verdict").asText())) {
          return verification;
        }
        if (fresh && "FAIL".equals(verification.path("verdict").asText())) {
          throw new AssertionError(
              "the verifier reports a mismatch: " + verification.toPrettyString());
        }
      } catch (IOException e) {
        last = "status view not answering: " + e.getMessage();
      }
      Thread.sleep(2_000);
    }
    throw new AssertionError("no " + verdict + " within " + FIRST_PASS_TIMEOUT + "; last: " + last);
  }

  private static JsonNode status() throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://localhost:8080/api/status"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  /** Sums the memory every container of the stack uses now, and keeps the largest sum. */
  private static void sampleMemory() throws Exception {
    String out =
        CommandRunner.run(
            Duration.ofSeconds(30),
            List.of("docker", "stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}"));
    long total = 0;
    for (String line : out.split("\n")) {
      if (line.startsWith(PROJECT)) {
        total += bytes(line.split(" ")[1]);
      }
    }
    peakMemoryBytes = Math.max(peakMemoryBytes, total);
  }

  /** Parses docker stats' "123.4MiB" or "1.2GiB". */
  static long bytes(String usage) {
    String number = usage.replaceAll("[^0-9.]", "");
    double value = Double.parseDouble(number);
    if (usage.endsWith("GiB")) {
      return (long) (value * (1L << 30));
    }
    if (usage.endsWith("MiB")) {
      return (long) (value * (1L << 20));
    }
    if (usage.endsWith("KiB") || usage.endsWith("kB")) {
      return (long) (value * 1024);
    }
    return (long) value;
  }

  private static String compose(Duration timeout, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("docker", "compose"));
    command.addAll(List.of("-f", COMPOSE_FILE.toString(), "-p", PROJECT));
    command.addAll(List.of(args));
    return CommandRunner.run(timeout, command);
  }
}
