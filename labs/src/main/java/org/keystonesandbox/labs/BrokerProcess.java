package org.keystonesandbox.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.keystonesandbox.cli.CommandLines;
import org.keystonesandbox.kafka.embedded.EmbeddedKafkaBroker;

/**
 * The project's embedded broker as a child process with a port and a log folder of its own, so that
 * a lab can kill it with {@code kill -9} without killing itself, and start it again on the same
 * port and log: clients that know its address reconnect to it.
 */
final class BrokerProcess implements AutoCloseable {
  private static final String READY = "broker ready at ";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path folder;
  private final int port;
  private JarProcess.Running running;
  private int starts;

  private BrokerProcess(Path folder, int port) {
    this.folder = folder;
    this.port = port;
  }

  /**
   * Starts a broker on a free port, its log in {@code folder/kafka} and its output in {@code
   * folder/broker-N.txt}, and waits until it answers.
   */
  static BrokerProcess start(Path folder) throws IOException, InterruptedException {
    BrokerProcess broker = new BrokerProcess(folder, JarProcess.freePort());
    broker.startAgain();
    return broker;
  }

  String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /**
   * {@code kill -9}: the process ends at once, no shutdown of its own, its log as it is on disk.
   */
  void kill() throws InterruptedException {
    running.kill();
  }

  /** Starts the broker (again) on its port and log, and waits until it answers. */
  void startAgain() throws IOException, InterruptedException {
    Path output = folder.resolve("broker-" + (++starts) + ".txt");
    running =
        JarProcess.startMain(
            "the broker",
            Main.class,
            List.of("-Xmx512m"),
            List.of(Integer.toString(port), folder.resolve("kafka").toString()),
            output);
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!Files.readString(output, StandardCharsets.UTF_8).contains(READY)) {
      if (!running.alive() || System.nanoTime() > deadline) {
        running.kill();
        throw new IllegalStateException(
            "the broker did not start on port " + port + " (its output is in " + output + ")");
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.kill();
  }

  /**
   * The broker's process: {@code <port> <data-dir>}. It runs {@link EmbeddedKafkaBroker} as {@code
   * embedded-kafka.jar} does, but with a broker session of 3 s instead of Kafka's 9: a broker
   * started again after a kill -9 is refused as a duplicate until the session of its killed
   * incarnation has expired.
   */
  static final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
      CommandLines.useLogConfiguration("embedded-kafka-log4j2.xml");
      EmbeddedKafkaBroker broker =
          EmbeddedKafkaBroker.builder()
              .port(Integer.parseInt(args[0]))
              .dataDir(Path.of(args[1]))
              .brokerProperty("broker.session.timeout.ms", "3000")
              .brokerProperty("broker.heartbeat.interval.ms", "500")
              .build()
              .start();
      System.out.println(READY + broker.bootstrapServers());
      new CountDownLatch(1).await(); // until killed
    }
  }
}
