package org.keystonesandbox.batch.silver;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_millis;
import static org.apache.spark.sql.functions.when;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Sessions from unique events, with window functions: per user in time order, an event more than
 * the gap after the previous one starts a new session (exactly the gap still continues it).
 */
public final class Sessionizer {
  private Sessionizer() {}

  /**
   * @param events unique events with at least user_id, country, event_id, event_ts, play_ms and
   *     title_id
   * @param extraAggregates more per-session aggregates, appended after the standard columns
   * @return user_id, country (of the first event), session_start, session_end, events, watch_ms,
   *     titles (distinct, sorted), then the extras
   */
  public static Dataset<Row> sessions(
      Dataset<Row> events, Duration gap, Column... extraAggregates) {
    WindowSpec byUserInTime = Window.partitionBy("user_id").orderBy("event_ts", "event_id");
    Column previous = lag(col("event_ts"), 1).over(byUserInTime);
    Column startsSession =
        when(
                previous
                    .isNull()
                    .or(
                        unix_millis(col("event_ts"))
                            .minus(unix_millis(previous))
                            .gt(gap.toMillis())),
                lit(1))
            .otherwise(lit(0));
    Dataset<Row> numbered =
        events
            .withColumn("starts_session", startsSession)
            .withColumn(
                "session_seq",
                sum(col("starts_session"))
                    .over(
                        byUserInTime.rowsBetween(
                            Window.unboundedPreceding(), Window.currentRow())));
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(max(col("event_ts")).as("session_end"));
    aggregates.add(count(lit(1)).as("events"));
    aggregates.add(sum(col("play_ms")).as("watch_ms"));
    aggregates.add(array_sort(collect_set(col("title_id"))).as("titles"));
    aggregates.add(min_by(col("country"), col("event_ts")).as("country"));
    aggregates.addAll(List.of(extraAggregates));
    return numbered
        .groupBy(col("user_id"), col("session_seq"))
        .agg(min(col("event_ts")).as("session_start"), aggregates.toArray(Column[]::new))
        .drop("session_seq");
  }

  /** The sessions in the silver table's column order. */
  public static Dataset<Row> inTableOrder(Dataset<Row> sessions) {
    return sessions.select(
        col("user_id"),
        col("country"),
        col("session_start"),
        col("session_end"),
        col("events"),
        col("watch_ms"),
        col("titles"));
  }
}
