package org.keystonesandbox.labs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream job's MiniCluster seen through Flink's REST API (the back end of its web UI) on a port
 * the lab chooses: whether the job runs, its checkpoints and their size, its restarts, and a stop
 * with drain.
 */
final class FlinkJobRest {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkJobRest.class);

  /** A completed checkpoint: its number, when it was triggered (epoch ms), its full state size. */
  record Checkpoint(long id, long triggeredAtMs, long stateBytes) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int REFRESH_MS = 200;

  private final int port;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  FlinkJobRest() throws IOException {
    this.port = JarProcess.freePort();
  }

  /**
   * The stream job's flags that put its REST API on this port, its figures fresh: by default it
   * caches the job's checkpoints for 3 s and fetches metrics from the task managers every 10 s.
   */
  List<String> flags() {
    return List.of(
        "--flink-conf",
        "rest.port=" + port,
        "--flink-conf",
        "web.refresh-interval=" + REFRESH_MS,
        "--flink-conf",
        "metrics.fetcher.update-interval=" + REFRESH_MS);
  }

  /** Waits until the job runs with every task running; returns its id. */
  String awaitRunning(JarProcess.Running process, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (process.alive() && System.nanoTime() < deadline) {
      JsonNode overview = getOnceListening("/jobs/overview");
      for (JsonNode job : overview.path("jobs")) {
        JsonNode tasks = job.path("tasks");
        if ("RUNNING".equals(job.path("state").asText())
            && tasks.path("total").asInt() > 0
            && tasks.path("running").asInt() == tasks.path("total").asInt()) {
          return job.path("jid").asText();
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        process.alive()
            ? "the stream job was not running within " + timeout.toSeconds() + " s"
            : "the stream job ended before it ran");
  }

  /**
   * Waits for a completed checkpoint triggered at or after {@code epochMs} and returns it. Flink's
   * REST API caches its figures for a few seconds, so the newest checkpoint may show late.
   */
  Checkpoint awaitCheckpointTriggeredAfter(String jobId, long epochMs, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode completed = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
      if (completed.isObject() && completed.path("trigger_timestamp").asLong() >= epochMs) {
        return new Checkpoint(
            completed.path("id").asLong(),
            completed.path("trigger_timestamp").asLong(),
            completed.path("state_size").asLong());
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "no checkpoint of the stream job completed within " + timeout.toSeconds() + " s");
  }

  /**
   * Waits until the job's sources have read {@code records} records (Flink's {@code numRecordsOut}
   * of each source operator, over all its subtasks).
   */
  void awaitRecordsRead(String jobId, long records, JarProcess.Running process, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long read = 0;
    while (process.alive() && System.nanoTime() < deadline) {
      read = recordsRead(jobId);
      if (read >= records) {
        return;
      }
      Thread.sleep(REFRESH_MS);
    }
    throw new IllegalStateException(
        "the stream job read " + read + " of " + records + " records and then no more");
  }

  private long recordsRead(String jobId) throws IOException, InterruptedException {
    long read = 0;
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      String metrics =
          "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
      List<String> sourcesOut = new ArrayList<>();
      for (JsonNode metric : get(metrics)) {
        String id = metric.path("id").asText();
        if (id.startsWith("Source__") && id.endsWith(".numRecordsOut")) {
          sourcesOut.add(id);
        }
      }
      if (!sourcesOut.isEmpty()) {
        for (JsonNode sum : get(metrics + "?agg=sum&get=" + String.join(",", sourcesOut))) {
          read += (long) sum.path("sum").asDouble();
        }
      }
    }
    return read;
  }

  /**
   * The event time of the job's sessionizing operator: the smallest {@code currentInputWatermark}
   * over its subtasks, as Flink's REST API reports it ({@code /jobs/:id/vertices/:vid/watermarks});
   * {@link Long#MIN_VALUE} before the first watermark.
   */
  long watermark(String jobId) throws IOException, InterruptedException {
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      if (vertex.path("name").asText().contains("sessionize")) {
        long smallest = Long.MAX_VALUE;
        String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/watermarks";
        for (JsonNode metric : get(path)) {
          smallest = Math.min(smallest, metric.path("value").asLong(Long.MIN_VALUE));
        }
        return smallest == Long.MAX_VALUE ? Long.MIN_VALUE : smallest;
      }
    }
    throw new IllegalStateException("the stream job has no sessionizing operator");
  }

  /**
   * One reading of Flink's backpressure figures ({@code /jobs/:id/vertices/:vid/backpressure}),
   * each the largest over the subtasks, from 0 to 1: the share of time the source was backpressured
   * and busy, and the share the sessionizing operator was busy; {@code readable} false while Flink
   * has no figures yet (its answer's status is not {@code ok}).
   */
  record Backpressure(
      boolean readable, double sourceBackpressured, double sourceBusy, double sessionizeBusy) {}

  Backpressure backpressure(String jobId) throws IOException, InterruptedException {
    boolean readable = true;
    double backpressured = 0;
    double sourceBusy = 0;
    double busy = 0;
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      String name = vertex.path("name").asText();
      JsonNode answer =
          get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/backpressure");
      readable &= "ok".equals(answer.path("status").asText());
      for (JsonNode subtask : answer.path("subtasks")) {
        if (name.startsWith("Source")) {
          backpressured = Math.max(backpressured, subtask.path("ratio").asDouble());
          sourceBusy = Math.max(sourceBusy, subtask.path("busyRatio").asDouble());
        }
        if (name.contains("sessionize")) {
          busy = Math.max(busy, subtask.path("busyRatio").asDouble());
        }
      }
    }
    return new Backpressure(readable, backpressured, sourceBusy, busy);
  }

  /** Where {@code jobId} restored its state from, empty if it started fresh. */
  String restoredFrom(String jobId) throws IOException, InterruptedException {
    JsonNode restored = get("/jobs/" + jobId + "/checkpoints").path("latest").path("restored");
    return restored.isObject() ? restored.path("external_path").asText() : "";
  }

  /** The web UI's address. */
  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** How many times Flink restarted the job after a failure. */
  long restarts(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId + "/metrics?get=numRestarts").path(0).path("value").asLong();
  }

  /**
   * Stops the job with a savepoint into {@code savepoints}. With {@code drain} its sources end
   * first, the final watermark fires every event-time timer and the sinks commit, as at the end of
   * a bounded input; without, open sessions and remembered ids stay in the savepoint for a restart.
   * Returns when the savepoint is complete or the job's process ended (its MiniCluster shuts down
   * with the finished job, possibly before the lab asks again); the process's exit code tells
   * whether the job finished.
   */
  void stopWithSavepoint(
      String jobId, Path savepoints, boolean drain, JarProcess.Running process, Duration timeout)
      throws IOException, InterruptedException {
    String body =
        JSON.writeValueAsString(
            Map.of(
                "drain", drain, "targetDirectory", savepoints.toAbsolutePath().toUri().toString()));
    String request = post("/jobs/" + jobId + "/stop", body).path("request-id").asText();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode status;
      try {
        status = get("/jobs/" + jobId + "/savepoints/" + request);
      } catch (IOException e) {
        if (process.process().waitFor(10, TimeUnit.SECONDS)) {
          return;
        }
        throw e;
      }
      if ("COMPLETED".equals(status.path("status").path("id").asText())) {
        JsonNode failure = status.path("operation").path("failure-cause");
        if (!failure.isMissingNode()) {
          throw new IllegalStateException(
              "the stop with a savepoint failed: "
                  + failure.path("stack-trace").asText().lines().findFirst().orElse(""));
        }
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "the stop with a savepoint did not finish within " + timeout.toSeconds() + " s");
  }

  /**
   * {@link #get}, or an empty answer while the MiniCluster starts: not listening yet, or listening
   * but still electing its leader (503).
   */
  private JsonNode getOnceListening(String path) throws IOException, InterruptedException {
    HttpResponse<String> response;
    try {
      response = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException starting) {
      LOG.debug("{} does not answer yet: the cluster is starting, asked again later", path);
      return JSON.createObjectNode();
    }
    return response.statusCode() == 503 ? JSON.createObjectNode() : answer(response);
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    return send(request(path).GET());
  }

  private JsonNode post(String path, String json) throws IOException, InterruptedException {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10));
  }

  private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return answer(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
  }

  private static JsonNode answer(HttpResponse<String> response) throws IOException {
    if (response.statusCode() >= 300) {
      throw new IOException("Flink answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }
}
