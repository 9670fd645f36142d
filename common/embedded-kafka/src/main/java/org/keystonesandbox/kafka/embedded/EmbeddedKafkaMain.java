package org.keystonesandbox.kafka.embedded;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.keystonesandbox.cli.CommandLines;
import org.keystonesandbox.cli.ExitCodes;

/**
 * Runs an embedded single-node KRaft broker until Ctrl-C: a Kafka for the sandbox without Docker or
 * a Kafka installation.
 *
 * <pre>
 * java -jar common/embedded-kafka/target/embedded-kafka.jar [port] [data-dir]
 * </pre>
 *
 * Defaults: port 9092, data in {@code data/kafka} (kept between runs). Prints one line with the
 * bootstrap address once the broker answers requests.
 */
public final class EmbeddedKafkaMain {

  private EmbeddedKafkaMain() {}

  public static void main(String[] args) throws InterruptedException {
    CommandLines.useLogConfiguration("embedded-kafka-log4j2.xml");
    if (args.length > 2 || (args.length > 0 && !args[0].matches("\\d{1,5}"))) {
      System.err.println("usage: java -jar embedded-kafka.jar [port] [data-dir]");
      System.exit(ExitCodes.USAGE);
    }
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9092;
    Path dataDir = Path.of(args.length > 1 ? args[1] : "data/kafka");
    EmbeddedKafkaBroker broker;
    try {
      broker = EmbeddedKafkaBroker.builder().port(port).dataDir(dataDir).build().start();
    } catch (RuntimeException e) {
      System.err.println(
          "embedded-kafka: cannot start on port "
              + port
              + " with data in "
              + dataDir
              + ": "
              + CommandLines.rootMessage(e));
      System.exit(ExitCodes.FAILED);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  broker.close();
                  stopped.countDown();
                },
                "embedded-kafka-shutdown"));
    System.out.println(
        "embedded-kafka: ready at "
            + broker.bootstrapServers()
            + " (data in "
            + dataDir.toAbsolutePath()
            + "); Ctrl-C stops it");
    stopped.await();
  }
}
