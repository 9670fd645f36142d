package org.keystonesandbox.kafka.embedded;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.keystonesandbox.cli.CommandLines;
import org.keystonesandbox.cli.CommandMain;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.cli.UnavailableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Runs an embedded single-node KRaft broker until Ctrl-C: a Kafka for the sandbox without Docker or
 * a Kafka installation.
 *
 * <pre>
 * java -jar common/embedded-kafka/target/embedded-kafka.jar [PORT] [DATA-DIR]
 * </pre>
 *
 * Defaults: port 9092, data in {@code data/kafka} (kept between runs). Prints one line with the
 * bootstrap address once the broker answers requests. Exit codes are the project's ({@link
 * ExitCodes}): 2 a bad argument, 3 a broker that cannot start (port in use, unusable folder).
 */
@Command(
    name = EmbeddedKafkaMain.NAME,
    mixinStandardHelpOptions = true,
    version = "embedded-kafka 0.1.0",
    description = "A single-node Kafka broker (KRaft) on 127.0.0.1 until Ctrl-C.",
    footer = ExitCodes.HELP_FOOTER)
public final class EmbeddedKafkaMain implements Callable<Integer> {
  static final String NAME = "embedded-kafka";

  /** The command's {@code main} and, for tests, its command line. */
  static final CommandMain MAIN =
      new CommandMain(
          NAME,
          "the broker failed",
          "embedded-kafka-log4j2.xml",
          (out, err) -> new EmbeddedKafkaMain(out));

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "PORT",
      defaultValue = "9092",
      description = "the port to listen on (default: ${DEFAULT-VALUE})")
  int port;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "DATA-DIR",
      defaultValue = "data/kafka",
      description = "the broker's folder, kept between runs (default: ${DEFAULT-VALUE})")
  Path dataDir;

  private final PrintStream out;

  EmbeddedKafkaMain(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    MAIN.run(args);
  }

  @Override
  public Integer call() throws InterruptedException {
    CommandLines.validate(
        () -> {
          if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("the port must be 0-65535, not " + port);
          }
        });
    EmbeddedKafkaBroker broker;
    try {
      broker = EmbeddedKafkaBroker.builder().port(port).dataDir(dataDir).build().start();
    } catch (RuntimeException e) {
      throw new UnavailableException(
          "cannot start on port "
              + port
              + " with data in "
              + dataDir
              + ": "
              + CommandLines.rootMessage(e),
          e);
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
    out.println(
        NAME
            + ": ready at "
            + broker.bootstrapServers()
            + " (data in "
            + dataDir.toAbsolutePath()
            + "); Ctrl-C stops it");
    stopped.await();
    return ExitCodes.OK;
  }
}
