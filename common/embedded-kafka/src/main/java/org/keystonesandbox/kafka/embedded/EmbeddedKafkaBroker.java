package org.keystonesandbox.kafka.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.keystonesandbox.cli.Folders;

/**
 * A single-node Kafka broker in KRaft mode (broker and controller in one), running in this JVM on
 * 127.0.0.1. Starts in a few seconds, needs no Docker, and behaves as a real broker: the same
 * server code, transactions, idempotence and consumer groups.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().build().start()) {
 *   String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>Topics default to unlimited retention: the sandbox stamps records with simulated times that
 * the default seven-day retention would delete at once.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final int requestedPort;
  private final Path dataDir;
  private final boolean deleteDataDirOnClose;
  private final Map<String, String> overrides;
  private KafkaRaftServer server;
  private int port;

  private EmbeddedKafkaBroker(Builder builder) {
    this.requestedPort = builder.port;
    this.overrides = Map.copyOf(builder.overrides);
    try {
      if (builder.dataDir == null) {
        this.dataDir = Files.createTempDirectory("embedded-kafka-");
        this.deleteDataDirOnClose = true;
      } else {
        this.dataDir = Files.createDirectories(builder.dataDir);
        this.deleteDataDirOnClose = false;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker's data directory", e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Formats the storage if it is new, starts the broker and waits until it answers requests.
   *
   * @throws IllegalStateException if it is not ready within a minute
   */
  public synchronized EmbeddedKafkaBroker start() {
    if (server != null) {
      return this;
    }
    int[] free = twoFreePorts(requestedPort);
    port = requestedPort > 0 ? requestedPort : free[0];
    int controllerPort = free[1];
    Path logDir = dataDir.resolve("log");
    KafkaConfig config = new KafkaConfig(brokerProperties(logDir, controllerPort), false);
    format(config, logDir);
    server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    awaitReady();
    return this;
  }

  /** {@code host:port} for clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    if (server == null) {
      throw new IllegalStateException("the broker is not started");
    }
    return "127.0.0.1:" + port;
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
    if (deleteDataDirOnClose) {
      deleteRecursively(dataDir);
    }
  }

  private Properties brokerProperties(Path logDir, int controllerPort) {
    Properties p = new Properties();
    p.put("node.id", "1");
    p.put("process.roles", "broker,controller");
    p.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put("log.dirs", logDir.toString());
    p.put("num.partitions", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("log.retention.ms", "-1");
    // Topics keep records forever unless given a retention of their own; one that is (to study
    // records expiring before a consumer reads them) sees it applied within a second, not 5 min.
    p.put("log.retention.check.interval.ms", "1000");
    p.put("auto.create.topics.enable", "false");
    p.putAll(overrides);
    return p;
  }

  private static void format(KafkaConfig config, Path logDir) {
    if (Files.exists(logDir.resolve("meta.properties"))) {
      return; // formatted by an earlier run: keep its cluster id and data
    }
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setClusterId(Uuid.randomUuid().toString())
          .setNodeId(config.nodeId())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setMetadataLogDirectory(logDir.toString())
          .setDirectories(List.of(logDir.toString()))
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format the broker's storage in " + logDir, e);
    }
  }

  private void awaitReady() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception notYet) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the embedded broker did not become ready", notYet);
          }
        }
        sleep(100);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker", e);
    }
  }

  /**
   * Two distinct free ports on 127.0.0.1, neither equal to {@code taken} (a port this broker had
   * before a restart, free again until it binds it). The probes are held open together, since ports
   * chosen one after the other can repeat.
   */
  static int[] twoFreePorts(int taken) {
    try (ServerSocket a = probe();
        ServerSocket b = probe();
        ServerSocket c = probe()) {
      return IntStream.of(a.getLocalPort(), b.getLocalPort(), c.getLocalPort())
          .filter(p -> p != taken)
          .limit(2)
          .toArray();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private static ServerSocket probe() throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.bind(new InetSocketAddress("127.0.0.1", 0));
    return socket;
  }

  private static void deleteRecursively(Path root) {
    try {
      Folders.delete(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  /** Settings of an embedded broker. */
  public static final class Builder {
    private int port;
    private Path dataDir;
    private final java.util.HashMap<String, String> overrides = new java.util.HashMap<>();

    private Builder() {}

    /** The client port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * Where the broker keeps its logs. A folder that holds a previous broker's data is reused (the
     * topics and records survive). Default: a temporary folder deleted on close.
     */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** Any broker setting, e.g. {@code transaction.max.timeout.ms}. */
    public Builder brokerProperty(String key, String value) {
      overrides.put(key, value);
      return this;
    }

    public EmbeddedKafkaBroker build() {
      return new EmbeddedKafkaBroker(this);
    }
  }
}
