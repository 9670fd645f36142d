package org.keystonesandbox.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A compose project as the stack's tests drive it: the compose CLI itself (so that the tests run
 * with Compose v2 and with docker-compose 1.29), the status view on its published port, and the
 * peak memory of the project's containers, sampled while waiting. Every host port the files publish
 * is a free port of this machine, so that whatever else listens on 8080, 8081, ... (a user's own
 * stack) neither fails the test nor answers it.
 */
final class ComposeProject {
  private static final String STATUS_PORT = "STATUS_PORT";
  private static final List<String> HOST_PORTS =
      List.of(
          STATUS_PORT,
          "FLINK_UI_PORT",
          "SPARK_UI_PORT",
          "CATALOG_PORT",
          "KAFKA_PORT",
          "SPARK_MASTER_UI_PORT");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private final String name;
  private final List<Path> files;
  private final Map<String, String> environment;
  private long peakMemoryBytes;

  /**
   * @param environment variables the compose files read (GENERATOR_RATE, ...)
   */
  ComposeProject(String name, List<Path> files, Map<String, String> environment) {
    this.name = name;
    this.files = List.copyOf(files);
    Map<String, String> withPorts = new HashMap<>(freePorts());
    withPorts.putAll(environment);
    this.environment = Map.copyOf(withPorts);
  }

  /** One free port per variable of {@link #HOST_PORTS}, all distinct. */
  private static Map<String, String> freePorts() {
    List<ServerSocket> held = new ArrayList<>();
    try {
      Map<String, String> ports = new HashMap<>();
      for (String variable : HOST_PORTS) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(socket);
        ports.put(variable, Integer.toString(socket.getLocalPort()));
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("no free port for the compose stack", e);
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /** The compose file a system property of the build names. */
  static Path file(String property) {
    return Path.of(System.getProperty(property));
  }

  /** Removes what an earlier run left (containers, volumes), then builds the images. */
  void cleanAndBuild() throws IOException {
    compose(Duration.ofMinutes(5), "down", "-v", "--remove-orphans");
    compose(Duration.ofMinutes(10), "build");
  }

  /** Prints the services' states and the last log lines of {@code services}, then removes all. */
  void showAndRemove(String... services) throws IOException {
    try {
      System.err.println(compose(Duration.ofMinutes(1), "ps"));
      List<String> logs = new ArrayList<>(List.of("logs", "--tail=30"));
      logs.addAll(List.of(services));
      System.err.println(compose(Duration.ofMinutes(2), logs.toArray(String[]::new)));
    } finally {
      compose(Duration.ofMinutes(5), "down", "-v", "--remove-orphans");
    }
  }

  String compose(Duration timeout, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("docker", "compose"));
    files.forEach(f -> command.addAll(List.of("-f", f.toString())));
    command.addAll(List.of("-p", name));
    command.addAll(List.of(args));
    return CommandRunner.run(timeout, command, environment);
  }

  /** The status view's document. */
  JsonNode status() throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://localhost:" + environment.get(STATUS_PORT) + "/api/status"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  /**
   * Polls the status view until the verifier reports {@code verdict} in a report written after
   * {@code since}; fails at once on a mismatch. Samples memory meanwhile.
   */
  JsonNode awaitVerdict(String verdict, Instant since, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
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
    throw new AssertionError("no " + verdict + " within " + timeout + "; last: " + last);
  }

  /** Sums the memory every container of the project uses now, and keeps the largest sum. */
  void sampleMemory() throws IOException {
    String out =
        CommandRunner.run(
            Duration.ofSeconds(30),
            List.of("docker", "stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}"));
    long total = 0;
    for (String line : out.split("\n")) {
      if (line.startsWith(name)) {
        total += bytes(line.split(" ")[1]);
      }
    }
    peakMemoryBytes = Math.max(peakMemoryBytes, total);
  }

  long peakMemoryBytes() {
    return peakMemoryBytes;
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
}
