package org.keystonesandbox.sandbox.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Spark standalone cluster seen through its REST APIs: the master's {@code /json/} (workers and
 * their cores and memory, running applications) and the driver's {@code /api/v1} (its executors).
 */
public final class SparkRest {
  /** A worker as the master lists it. */
  public record Worker(
      String id,
      String host,
      String state,
      int cores,
      int coresUsed,
      int memoryMb,
      int memoryUsedMb) {}

  /** An executor of the driver's application ({@code driver} is the driver itself). */
  public record Executor(
      String id,
      String hostPort,
      boolean active,
      int activeTasks,
      int completedTasks,
      int failedTasks) {}

  private final JsonHttp master;
  private final JsonHttp driver;

  /**
   * @param masterUrl the master's web UI, e.g. {@code http://spark-master:8090}
   * @param driverUrl the driver's web UI, e.g. {@code http://chain:4040}
   */
  public SparkRest(String masterUrl, String driverUrl) {
    this.master = new JsonHttp("the Spark master", masterUrl);
    this.driver = new JsonHttp("the Spark driver", driverUrl);
  }

  /** The master's workers; empty if it does not answer. */
  public Optional<List<Worker>> workers() {
    return master.optional(
        server -> {
          List<Worker> workers = new ArrayList<>();
          for (JsonNode w : server.get("/json/").path("workers")) {
            workers.add(
                new Worker(
                    w.path("id").asText(),
                    w.path("host").asText(),
                    w.path("state").asText(),
                    w.path("cores").asInt(),
                    w.path("coresused").asInt(),
                    w.path("memory").asInt(),
                    w.path("memoryused").asInt()));
          }
          return workers;
        });
  }

  /**
   * The executors of the driver's running application, lost ones too; empty if it does not answer.
   */
  public Optional<List<Executor>> executors() {
    return driver.optional(
        server -> {
          JsonNode apps = server.get("/api/v1/applications");
          List<Executor> executors = new ArrayList<>();
          if (!apps.isArray() || apps.isEmpty()) {
            return executors;
          }
          String app = apps.get(0).path("id").asText();
          for (JsonNode e : server.get("/api/v1/applications/" + app + "/allexecutors")) {
            executors.add(
                new Executor(
                    e.path("id").asText(),
                    e.path("hostPort").asText(),
                    e.path("isActive").asBoolean(),
                    e.path("activeTasks").asInt(),
                    e.path("completedTasks").asInt(),
                    e.path("failedTasks").asInt()));
          }
          return executors;
        });
  }
}
