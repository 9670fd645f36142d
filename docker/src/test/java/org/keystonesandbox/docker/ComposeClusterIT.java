package org.keystonesandbox.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The cluster profile as a user runs it ({@code compose.yaml} with {@code compose.cluster.yaml}):
 * the stream job on a Flink session cluster of two TaskManagers, the chain on a Spark standalone
 * cluster of two workers. While the generator still produces, one TaskManager and one worker are
 * killed ({@code docker kill}); the job must go on on the slots left, the chain on the executor
 * left, and the verification must still be exact. Prints the time from {@code up} to that first
 * exact verification and the profile's peak memory.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeClusterIT {
  private static final Duration MID_RUN_TIMEOUT = Duration.ofMinutes(4);
  private static final Duration PASS_TIMEOUT = Duration.ofMinutes(10);

  /** 40,000 unique events at 400 records/s: some 100 s of production, when the kills land. */
  private static final ComposeProject CLUSTER =
      new ComposeProject(
          "keystoneclusterit",
          List.of(ComposeProject.file("compose.file"), ComposeProject.file("compose.cluster.file")),
          Map.of("GENERATOR_RATE", "400"));

  @BeforeAll
  static void build() throws Exception {
    CLUSTER.cleanAndBuild();
  }

  @AfterAll
  static void stop() throws Exception {
    CLUSTER.showAndRemove("flink-submit", "flink", "taskmanager-2", "chain", "verifier");
  }

  @Test
  void aTaskManagerAndASparkWorkerKilledMidRunLeaveTheVerificationExact() throws Exception {
    Instant up = Instant.now();
    CLUSTER.compose(Duration.ofMinutes(5), "up", "-d");

    JsonNode running = awaitBothClustersAtWork();
    assertThat(running.path("generator").path("state").asText())
        .as("the generator is still producing when the kills land (mid-run)")
        .isEqualTo("running");
    Instant killed = Instant.now();
    CLUSTER.compose(Duration.ofMinutes(1), "kill", "taskmanager-1", "spark-worker-1");

    JsonNode verification = CLUSTER.awaitVerdict("PASS", killed, PASS_TIMEOUT);
    double seconds = Duration.between(up, Instant.now()).toMillis() / 1e3;
    assertThat(verification.path("checks").toString()).contains("daily title x country rows");

    JsonNode after = CLUSTER.status();
    assertThat(after.path("stream").path("state").asText()).isEqualTo("RUNNING");
    assertThat(ids(after.path("clusters").path("flink").path("taskManagers"), "id"))
        .as("the job runs on the TaskManager left")
        .containsExactly("taskmanager-2");
    assertThat(aliveWorkers(after)).containsExactly("spark-worker-2");
    JsonNode lastGold = after.path("batch").path("lastGold");
    assertThat(Instant.parse(lastGold.path("started").asText()))
        .as("a chain run finished on the executor left after the kill")
        .isAfter(killed);
    System.err.printf(
        Locale.ROOT,
        "compose cluster profile: first exact verification %.0f s after up, through the kills"
            + " (goal 180 s: ratio %.2f); peak memory of all containers %.2f GiB"
            + " (goal 6 GiB: ratio %.2f)%n",
        seconds,
        seconds / 180,
        CLUSTER.peakMemoryBytes() / (double) (1L << 30),
        CLUSTER.peakMemoryBytes() / (double) (6L << 30));
  }

  /**
   * Until the stream job runs with one subtask per TaskManager and has checkpointed (its group
   * committed offsets), and the chain's driver has an executor on each worker.
   */
  private static JsonNode awaitBothClustersAtWork() throws Exception {
    long deadline = System.nanoTime() + MID_RUN_TIMEOUT.toNanos();
    String last = "no status yet";
    while (System.nanoTime() < deadline) {
      CLUSTER.sampleMemory();
      try {
        JsonNode s = CLUSTER.status();
        JsonNode tms = s.path("clusters").path("flink").path("taskManagers");
        long busyTaskManagers =
            count(tms, tm -> tm.path("freeSlots").asInt() < tm.path("slots").asInt());
        long executors =
            count(
                s.path("clusters").path("spark").path("executors"),
                e -> e.path("active").asBoolean() && !"driver".equals(e.path("id").asText()));
        long produced = s.path("generator").path("records").asLong();
        long lag = s.path("stream").path("lag").asLong();
        boolean checkpointed = lag >= 0 && produced > 0 && lag < produced;
        last =
            String.format(
                "job %s on %d busy task manager(s), checkpointed %s, %d executor(s), generator %s",
                s.path("stream").path("state").asText("?"),
                busyTaskManagers,
                checkpointed,
                executors,
                s.path("generator").path("state").asText("?"));
        if ("RUNNING".equals(s.path("stream").path("state").asText())
            && busyTaskManagers == 2
            && checkpointed
            && executors == 2) {
          return s;
        }
      } catch (IOException e) {
        last = "status view not answering: " + e.getMessage();
      }
      Thread.sleep(1_000);
    }
    throw new AssertionError(
        "the clusters were not both at work within " + MID_RUN_TIMEOUT + "; last: " + last);
  }

  private static long count(JsonNode array, java.util.function.Predicate<JsonNode> test) {
    long n = 0;
    for (JsonNode node : array) {
      if (test.test(node)) {
        n++;
      }
    }
    return n;
  }

  private static List<String> ids(JsonNode array, String field) {
    List<String> ids = new ArrayList<>();
    array.forEach(node -> ids.add(node.path(field).asText()));
    return ids;
  }

  private static List<String> aliveWorkers(JsonNode status) {
    List<String> alive = new ArrayList<>();
    for (JsonNode w : status.path("clusters").path("spark").path("workers")) {
      if ("ALIVE".equals(w.path("state").asText())) {
        alive.add(w.path("host").asText());
      }
    }
    return alive;
  }
}
