package org.keystonesandbox.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.keystonesandbox.sandbox.run.SandboxRun;

/**
 * What the embedded mode's end-to-end tests share: the run's settings (every part a real process
 * from the built jars, every delivery fault of the generator on: duplicates, late, out-of-order,
 * malformed) and the verifier's report.
 */
final class SandboxRuns {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path HOME =
      Path.of(System.getProperty("sandbox.home", "..")).toAbsolutePath().normalize();

  private SandboxRuns() {}

  static SandboxRun.Settings settings(Path dataDir, long count, int rate) throws IOException {
    int kafkaPort = freePort();
    int flinkUiPort = freePort();
    while (flinkUiPort == kafkaPort) {
      flinkUiPort = freePort();
    }
    return new SandboxRun.Settings(
        HOME,
        dataDir,
        false,
        count,
        null,
        rate,
        List.of("--late-rate", "0.02", "--duplicate-rate", "0.03", "--malformed-rate", "0.005"),
        List.of("--parallelism", "2"),
        List.of("--master", "local[2]"),
        kafkaPort,
        flinkUiPort,
        0,
        -1,
        "127.0.0.1",
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofMinutes(6),
        Duration.ofMinutes(10),
        false);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static JsonNode report(Path dataDir) throws IOException {
    return JSON.readTree(dataDir.resolve("verify").resolve("report.json").toFile());
  }

  /** The outcome and actual figure of the report's check {@code name}, "absent" without one. */
  static String check(JsonNode report, String name) {
    for (JsonNode check : report.path("checks")) {
      if (check.path("name").asText().equals(name)) {
        return check.path("outcome").asText() + " " + check.path("actual").asText();
      }
    }
    return "absent";
  }

  /** Standard output that also writes to {@code captured}: a test keeps what the run printed. */
  static PrintStream alsoTo(ByteArrayOutputStream captured) {
    return new PrintStream(new TeeStream(captured, System.out), true, StandardCharsets.UTF_8);
  }

  /** Writes to two streams. */
  private static final class TeeStream extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    TeeStream(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }
  }
}
