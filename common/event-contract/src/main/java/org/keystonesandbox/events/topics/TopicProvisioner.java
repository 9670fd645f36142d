package org.keystonesandbox.events.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks that the broker answers, within a deadline, and creates the sandbox's topics that are
 * missing. They keep their records forever: the sandbox replays and verifies them, and its
 * simulated timestamps would fall foul of time-based retention. Returns only once the leader of
 * every partition serves it (see {@link #awaitServed}).
 */
public final class TopicProvisioner {

  private TopicProvisioner() {}

  /**
   * Ensures the topic exists; returns its partition count, which may differ from the one asked for
   * if the topic was already there.
   *
   * @throws KafkaUnavailableException when the broker does not answer within {@code timeout}
   */
  public static int ensureTopic(
      String bootstrapServers, String topic, int partitions, short replication, Duration timeout) {
    return ensureTopics(bootstrapServers, List.of(topic), partitions, replication, timeout)
        .get(topic);
  }

  /**
   * {@link #ensureTopic} for several topics through one admin client; returns each topic's
   * partition count.
   *
   * @throws KafkaUnavailableException when the broker does not answer within {@code timeout}
   */
  public static Map<String, Integer> ensureTopics(
      String bootstrapServers,
      List<String> topics,
      int partitions,
      short replication,
      Duration timeout) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    int timeoutMs = (int) timeout.toMillis();
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    props.put(
        AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 5000));
    props.put(
        AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, Math.min(timeoutMs, 5000));
    props.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1000);
    Admin admin;
    try {
      admin = Admin.create(props);
    } catch (KafkaException e) {
      throw unreachable(bootstrapServers, timeout, e);
    }
    try {
      try {
        admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        throw unreachable(bootstrapServers, timeout, e);
      }
      List<NewTopic> newTopics = new ArrayList<>();
      for (String topic : topics) {
        newTopics.add(
            new NewTopic(topic, partitions, replication)
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1")));
      }
      Map<String, KafkaFuture<Void>> created = admin.createTopics(newTopics).values();
      for (String topic : topics) {
        try {
          created.get(topic).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new KafkaUnavailableException(
                "cannot create topic '" + topic + "': " + e.getCause().getMessage(), e);
          }
        }
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      Map<String, Integer> partitionCounts = new LinkedHashMap<>();
      for (String topic : topics) {
        int count = partitionCount(admin, topic, deadline);
        awaitServed(admin, topic, count, deadline);
        partitionCounts.put(topic, count);
      }
      return partitionCounts;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnavailableException("interrupted while preparing topics " + topics, e);
    } catch (TimeoutException | ExecutionException e) {
      throw new KafkaUnavailableException(
          "cannot describe topics " + topics + " at " + bootstrapServers + ": " + e.getMessage(),
          e);
    } finally {
      admin.close(Duration.ofSeconds(1));
    }
  }

  /** A topic just created may take a moment to reach the broker's metadata: ask again. */
  private static int partitionCount(Admin admin, String topic, long deadlineNanos)
      throws InterruptedException, ExecutionException, TimeoutException {
    return askUntil(
        deadlineNanos,
        UnknownTopicOrPartitionException.class,
        Duration.ofMillis(100),
        leftMs ->
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(leftMs, TimeUnit.MILLISECONDS)
                .get(topic)
                .partitions()
                .size());
  }

  /**
   * Waits until the leader of each partition of {@code topic} serves it. A broker applies a new
   * topic a moment after the controller has created it, and a produce request that comes in that
   * moment is refused as retriable. An idempotent producer with several requests in flight may then
   * have its next request to that partition appended while the refused one waits for its retry; the
   * retry then fails with OutOfOrderSequenceException until the producer's delivery timeout expires
   * its records: they are lost, though idempotence and acks=all were on. A ListOffsets request is
   * answered from the same partition state as a produce request, so once every partition answers
   * it, none of them refuses a produce request that way.
   */
  private static void awaitServed(Admin admin, String topic, int partitions, long deadlineNanos)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int partition = 0; partition < partitions; partition++) {
      latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
    }
    askUntil(
        deadlineNanos,
        RetriableException.class,
        Duration.ofMillis(50),
        leftMs ->
            admin
                .listOffsets(latest, new ListOffsetsOptions().timeoutMs((int) leftMs))
                .all()
                .get(leftMs, TimeUnit.MILLISECONDS));
  }

  /** One request to the broker, given the milliseconds left before the deadline. */
  private interface Request<T> {
    T send(long leftMs) throws InterruptedException, ExecutionException, TimeoutException;
  }

  /**
   * Sends {@code request} until it succeeds, pausing between tries, as long as it fails with a
   * {@code retriable} cause and the deadline has not passed.
   */
  private static <T> T askUntil(
      long deadlineNanos, Class<? extends Throwable> retriable, Duration pause, Request<T> request)
      throws InterruptedException, ExecutionException, TimeoutException {
    while (true) {
      long leftMs = Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
      try {
        return request.send(leftMs);
      } catch (ExecutionException e) {
        if (!retriable.isInstance(e.getCause()) || System.nanoTime() > deadlineNanos) {
          throw e;
        }
        Thread.sleep(pause.toMillis());
      }
    }
  }

  private static KafkaUnavailableException unreachable(
      String bootstrapServers, Duration timeout, Exception cause) {
    return new KafkaUnavailableException(
        "cannot reach Kafka at "
            + bootstrapServers
            + " within "
            + timeout.toSeconds()
            + "s: start a broker there (java -jar common/embedded-kafka/target/embedded-kafka.jar) or"
            + " pass --bootstrap-server host:port",
        cause);
  }
}
