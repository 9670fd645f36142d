package org.keystonesandbox.batch.gold;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.lake.SessionSettings;

/**
 * How gold joins the events with the title dimension. The generator's hot title carries a third of
 * all events or more, so a shuffled join sends that third to one task.
 */
public enum JoinStrategy {
  /** A shuffled sort-merge join, no broadcast, no skew handling: the hot title's task dominates. */
  PLAIN,
  /**
   * The same join planned once with adaptive query execution off: no skew handling, no merging of
   * small partitions, no switch to a broadcast at run time.
   */
  STATIC,
  /** The dimension is broadcast to every task: no shuffle of the events at all. */
  BROADCAST,
  /** A shuffled join that adaptive query execution splits where a partition is skewed. */
  AQE_SKEW,
  /** A shuffled join on (title, salt): each title's events spread over the salt buckets. */
  SALTED;

  /** The event column {@link #SALTED} hashes into its salt. */
  private static final String SALT_KEY = "event_id";

  /** The event columns the join reads besides title_id: the salt's key for {@link #SALTED}. */
  public List<String> eventColumns() {
    return this == SALTED ? List.of(SALT_KEY) : List.of();
  }

  /** Joins {@code events} with {@code titles} on title_id; the session settings must be set. */
  public Dataset<Row> join(Dataset<Row> events, Dataset<Row> titles, int saltBuckets) {
    return switch (this) {
      case BROADCAST -> events.join(broadcast(titles), "title_id");
      case PLAIN, STATIC, AQE_SKEW -> events.join(titles, "title_id");
      case SALTED -> {
        Dataset<Row> salted =
            events.withColumn("salt", pmod(hash(col(SALT_KEY)), lit(saltBuckets)));
        Dataset<Row> replicated =
            titles.crossJoin(
                titles.sparkSession().range(saltBuckets).select(col("id").cast("int").as("salt")));
        yield salted.join(replicated, new String[] {"title_id", "salt"}).drop("salt");
      }
    };
  }

  /** The Spark settings this strategy needs, applied until the returned handle is closed. */
  public AutoCloseable configure(SparkSession spark, long skewThresholdBytes) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.sql.adaptive.enabled", Boolean.toString(this != STATIC));
    switch (this) {
      case STATIC -> settings.put("spark.sql.autoBroadcastJoinThreshold", "-1");
      case BROADCAST -> settings.put("spark.sql.adaptive.skewJoin.enabled", "false");
      case PLAIN, SALTED -> {
        settings.put("spark.sql.autoBroadcastJoinThreshold", "-1");
        settings.put("spark.sql.adaptive.autoBroadcastJoinThreshold", "-1");
        settings.put("spark.sql.adaptive.skewJoin.enabled", "false");
      }
      case AQE_SKEW -> {
        settings.put("spark.sql.autoBroadcastJoinThreshold", "-1");
        settings.put("spark.sql.adaptive.autoBroadcastJoinThreshold", "-1");
        settings.put("spark.sql.adaptive.skewJoin.enabled", "true");
        settings.put(
            "spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes",
            Long.toString(skewThresholdBytes));
        settings.put("spark.sql.adaptive.skewJoin.skewedPartitionFactor", "2");
      }
    }
    return SessionSettings.apply(spark, settings);
  }
}
