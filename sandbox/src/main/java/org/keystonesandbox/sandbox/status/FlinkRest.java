package org.keystonesandbox.sandbox.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.keystonesandbox.events.names.StreamCounters;

/**
 * The stream job seen through Flink's REST API (the web UI's back end): its state, its counters
 * summed over subtasks, and stop-with-savepoint with drain.
 */
public final class FlinkRest {
  /** The stream job's counters, as it registers them. */
  public static final List<String> COUNTERS = StreamCounters.NAMES;

  private final JsonHttp http;

  /** A running (or the newest) job and its counters. */
  public record JobState(String id, String name, String state, Map<String, Long> counters) {}

  public FlinkRest(String baseUrl) {
    this.http = new JsonHttp("Flink", baseUrl);
  }

  /** The running job, else the newest one; empty if Flink does not answer or has no job. */
  public Optional<JobState> job() {
    return http.optional(this::newestJob).flatMap(job -> job);
  }

  private Optional<JobState> newestJob(JsonHttp server) throws IOException, InterruptedException {
    JsonNode chosen = null;
    for (JsonNode job : server.get("/jobs/overview").path("jobs")) {
      if (chosen == null
          || "RUNNING".equals(job.path("state").asText())
          || (!"RUNNING".equals(chosen.path("state").asText())
              && job.path("start-time").asLong() > chosen.path("start-time").asLong())) {
        chosen = job;
      }
    }
    if (chosen == null) {
      return Optional.empty();
    }
    String id = chosen.path("jid").asText();
    return Optional.of(
        new JobState(
            id, chosen.path("name").asText(), chosen.path("state").asText(), counters(id)));
  }

  private Map<String, Long> counters(String jobId) throws IOException, InterruptedException {
    Map<String, Long> totals = new LinkedHashMap<>();
    COUNTERS.forEach(c -> totals.put(c, 0L));
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      String path =
          "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
      List<String> wanted = new ArrayList<>();
      for (JsonNode metric : get(path)) {
        String id = metric.path("id").asText();
        if (COUNTERS.stream().anyMatch(c -> id.equals(c) || id.endsWith("." + c))) {
          wanted.add(id);
        }
      }
      if (wanted.isEmpty()) {
        continue;
      }
      for (JsonNode metric : get(path + "?agg=sum&get=" + String.join(",", wanted))) {
        String id = metric.path("id").asText();
        String counter = id.substring(id.lastIndexOf('.') + 1);
        totals.merge(counter, (long) metric.path("sum").asDouble(), Long::sum);
      }
    }
    return totals;
  }

  /** One TaskManager of the cluster (the MiniCluster has one) and its slots. */
  public record TaskManager(String id, int slots, int freeSlots) {}

  /** The cluster's TaskManagers; empty if Flink does not answer. */
  public List<TaskManager> taskManagers() {
    return http.optional(
            server -> {
              List<TaskManager> found = new ArrayList<>();
              for (JsonNode tm : server.get("/taskmanagers").path("taskmanagers")) {
                found.add(
                    new TaskManager(
                        tm.path("id").asText(),
                        tm.path("slotsNumber").asInt(),
                        tm.path("freeSlots").asInt()));
              }
              found.sort(Comparator.comparing(TaskManager::id));
              return found;
            })
        .orElse(List.of());
  }

  /**
   * Stops the job with a savepoint after draining it: sources end, the final watermark closes every
   * open session, the sinks commit. Returns the savepoint's path.
   */
  public String stopWithDrain(String jobId, String savepointDir, Duration timeout)
      throws IOException, InterruptedException {
    JsonNode trigger =
        http.post(
            "/jobs/" + jobId + "/stop", Map.of("drain", true, "targetDirectory", savepointDir));
    String request = trigger.path("request-id").asText();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode status = get("/jobs/" + jobId + "/savepoints/" + request);
      if ("COMPLETED".equals(status.path("status").path("id").asText())) {
        JsonNode operation = status.path("operation");
        if (operation.has("failure-cause")) {
          throw new IOException(
              "the stop with drain failed: "
                  + operation
                      .path("failure-cause")
                      .path("stack-trace")
                      .asText()
                      .lines()
                      .findFirst()
                      .orElse(""));
        }
        return operation.path("location").asText();
      }
      Thread.sleep(500);
    }
    throw new IOException("the stop with drain did not finish within " + timeout.toSeconds() + "s");
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    return http.get(path);
  }
}
