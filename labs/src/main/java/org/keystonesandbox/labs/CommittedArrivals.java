package org.keystonesandbox.labs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code read_committed} consumer that reads topics from their start while a lab goes on, in a
 * thread of its own, and notes the wall-clock time at which each record reached it: when a consumer
 * can first see a record.
 */
final class CommittedArrivals implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommittedArrivals.class);

  /** A record and the moment (epoch ms) the consumer's poll returned it. */
  record Arrival(ConsumerRecord<byte[], byte[]> record, long receivedAtMs) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<Arrival> arrivals = new ArrayList<>();
  private final Thread poller;
  private volatile boolean stopping;
  private volatile RuntimeException failure;

  private CommittedArrivals(String bootstrapServers, List<String> topics) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // A fetch that finds nothing new waits at most this long on the broker: a bound on how late
    // the consumer can notice a commit.
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      consumer
          .partitionsFor(topic)
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    poller = new Thread(this::poll, "committed-arrivals");
  }

  /** Starts reading {@code topics} (which must exist) from their start. */
  static CommittedArrivals start(String bootstrapServers, List<String> topics) {
    CommittedArrivals reader = new CommittedArrivals(bootstrapServers, topics);
    reader.poller.start();
    return reader;
  }

  /**
   * Waits until {@code count} records of {@code topic} have arrived (or {@code timeout} passed) and
   * returns those that arrived, in the order they arrived.
   */
  List<Arrival> await(String topic, int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Arrival> arrived = of(topic);
    while (arrived.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
      arrived = of(topic);
    }
    return arrived;
  }

  /** The records of {@code topic} that arrived so far, in the order they arrived. */
  private List<Arrival> of(String topic) {
    if (failure != null) {
      throw new IllegalStateException("the committed reader failed", failure);
    }
    synchronized (arrivals) {
      return arrivals.stream().filter(a -> a.record().topic().equals(topic)).toList();
    }
  }

  private void poll() {
    try {
      while (!stopping) {
        var records = consumer.poll(Duration.ofMillis(100));
        long now = System.currentTimeMillis();
        synchronized (arrivals) {
          records.forEach(record -> arrivals.add(new Arrival(record, now)));
        }
      }
    } catch (WakeupException stopped) {
      LOG.debug("close() woke the poll up: the reader ends here", stopped);
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    consumer.wakeup();
    poller.join();
  }
}
