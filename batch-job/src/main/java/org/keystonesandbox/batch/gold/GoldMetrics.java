package org.keystonesandbox.batch.gold;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.keystonesandbox.events.EventType;

/**
 * The gold figures as pure functions of silver rows and the title dimension; DESIGN.md fixes their
 * meaning, and the module README adds what it leaves open.
 */
public final class GoldMetrics {
  private static final String KEY_DAY = "day";
  private static final Column[] TITLE_COUNTRY_KEY = {col(KEY_DAY), col("title_id"), col("country")};

  /** The columns of silver's events that the figures read. */
  private static final List<String> EVENT_COLUMNS =
      List.of(
          "user_id",
          "playback_id",
          "title_id",
          "country",
          "event_type",
          "position_ms",
          "play_ms",
          "event_ts");

  private GoldMetrics() {}

  /**
   * Events with whether they reached their title's completion point (95% of its runtime, in
   * integers: {@code position_ms * 100 >= runtime_ms * 95}), and their day. This is the
   * skew-bearing join. Only the columns the figures read are kept, and only those and what the join
   * needs are read: the device, the send time, the Kafka position and, unless the join salts by it,
   * the event id (the widest column) are not decoded, and none of them is cached.
   */
  public static Dataset<Row> withTitles(
      Dataset<Row> events, Dataset<Row> titles, JoinStrategy strategy, int saltBuckets) {
    Dataset<Row> dimension = titles.select(col("title_id"), col("runtime_ms"));
    List<String> read = new ArrayList<>(EVENT_COLUMNS);
    read.addAll(strategy.eventColumns());
    return strategy
        .join(
            events.select(read.stream().map(functions::col).toArray(Column[]::new)),
            dimension,
            saltBuckets)
        .withColumn(
            "reaches_completion",
            col("position_ms").multiply(100).geq(col("runtime_ms").multiply(95)))
        .withColumn(KEY_DAY, to_date(col("event_ts")))
        .drop("position_ms", "runtime_ms")
        .drop(strategy.eventColumns().toArray(String[]::new));
  }

  /** Per playback, the first event that reached the completion point. */
  public static Dataset<Row> firstCompletions(Dataset<Row> eventsWithTitles) {
    return eventsWithTitles
        .filter(col("reaches_completion"))
        .groupBy(col("playback_id"))
        .agg(
            min_by(col("user_id"), col("event_ts")).as("user_id"),
            min_by(col("title_id"), col("event_ts")).as("title_id"),
            min_by(col("country"), col("event_ts")).as("country"),
            min(col("event_ts")).as("completed_at"));
  }

  /** Keeps the earlier completion of each playback from two sets of completions. */
  public static Dataset<Row> earliest(Dataset<Row> completions, Dataset<Row> more) {
    return completions
        .unionByName(more)
        .groupBy(col("playback_id"))
        .agg(
            min_by(col("user_id"), col("completed_at")).as("user_id"),
            min_by(col("title_id"), col("completed_at")).as("title_id"),
            min_by(col("country"), col("completed_at")).as("country"),
            min(col("completed_at")).as("completed_at"));
  }

  /**
   * The earliest completions, of either set, that {@code onTheDays} holds: what {@link #earliest}
   * of both sets, filtered, returns, without aggregating every completion. A playback completes
   * earliest on the days only if one of its completions lies there, and a playback of {@code more}
   * may complete earlier in {@code completions} than on the days: so the completions on the days
   * and those of {@code more}'s playbacks are enough (a completion that is both counts once in a
   * minimum).
   */
  public static Dataset<Row> earliestOn(
      Dataset<Row> completions, Dataset<Row> more, Column onTheDays) {
    Dataset<Row> candidates =
        completions
            .filter(onTheDays)
            .unionByName(
                completions.join(
                    more.select(col("playback_id")), new String[] {"playback_id"}, "left_semi"));
    return earliest(candidates, more).filter(onTheDays);
  }

  /**
   * Daily title × country figures, of two kinds of days in one computation: days computed from
   * their events, and days whose sessions alone changed, whose rows gold holds are kept but for
   * their session counts. A held row came from the day's events (exactly those with a viewer), from
   * its completions (those with one), or from sessions alone; the first two parts are kept, the
   * sessions counted again. Every figure is keyed by day, so the two kinds never meet.
   *
   * <p>Each source becomes rows of the same shape (a viewer's starts and watch time, a held row, a
   * completion, a session's title), brought together by day in one shuffle and summed per title and
   * country: one aggregation where joins of the per-source figures would shuffle each of them
   * again, and rows already clustered by day as the partitioned write needs them.
   *
   * @param eventsWithTitles the events, from {@link #withTitles}, of the days computed from events
   * @param completions first completions; those completed on those days are counted
   * @param held gold's rows of the days whose sessions alone changed (may be empty)
   * @param sessions silver sessions that started on either kind of day
   * @param titles the dimension, for names and genres
   */
  public static Dataset<Row> titleCountryDaily(
      Dataset<Row> eventsWithTitles,
      Dataset<Row> completions,
      Dataset<Row> held,
      Dataset<Row> sessions,
      Dataset<Row> titles) {
    Dataset<Row> viewers =
        eventsWithTitles
            .groupBy(col(KEY_DAY), col("title_id"), col("country"), col("user_id"))
            .agg(
                sum(when(col("event_type").equalTo(EventType.PLAY_START.wireName()), 1L)
                        .otherwise(0L))
                    .as("starts"),
                sum(col("play_ms")).as("watch_ms"));
    Dataset<Row> parts =
        titleCountryPart(viewers, col("starts"), lit(1L), col("watch_ms"), lit(0L), lit(0L))
            .unionByName(
                titleCountryPart(
                    held.filter(col("unique_viewers").gt(0).or(col("completions").gt(0))),
                    col("starts"),
                    col("unique_viewers"),
                    col("watch_ms"),
                    col("completions"),
                    lit(0L)))
            .unionByName(
                titleCountryPart(
                    completions.withColumn(KEY_DAY, to_date(col("completed_at"))),
                    lit(0L),
                    lit(0L),
                    lit(0L),
                    lit(1L),
                    lit(0L)))
            .unionByName(
                titleCountryPart(
                    sessions.select(
                        to_date(col("session_start")).as(KEY_DAY),
                        explode(col("titles")).as("title_id"),
                        col("country")),
                    lit(0L),
                    lit(0L),
                    lit(0L),
                    lit(0L),
                    lit(1L)));
    Dataset<Row> figures =
        parts
            .repartition(col(KEY_DAY))
            .groupBy(TITLE_COUNTRY_KEY)
            .agg(
                sum(col("starts")).as("starts"),
                sum(col("unique_viewers")).as("unique_viewers"),
                sum(col("watch_ms")).as("watch_ms"),
                sum(col("completions")).as("completions"),
                sum(col("sessions")).as("sessions"));
    Column starts = col("starts");
    Column completionsCount = col("completions");
    return figures
        .join(
            broadcast(titles.select(col("title_id"), col("title_name"), col("genre"))),
            new String[] {"title_id"},
            "left_outer")
        .select(
            col(KEY_DAY),
            col("title_id"),
            col("title_name"),
            col("genre"),
            col("country"),
            starts,
            col("unique_viewers"),
            col("watch_ms"),
            col("watch_ms").divide(3_600_000.0).as("watch_hours"),
            completionsCount,
            when(starts.gt(0), completionsCount.cast("double").divide(starts.cast("double")))
                .as("completion_rate"),
            col("sessions"));
  }

  /** One source's part of the title × country figures: its key and its five counts. */
  private static Dataset<Row> titleCountryPart(
      Dataset<Row> rows,
      Column starts,
      Column uniqueViewers,
      Column watchMs,
      Column completions,
      Column sessions) {
    return rows.select(
        col(KEY_DAY),
        col("title_id"),
        col("country"),
        starts.as("starts"),
        uniqueViewers.as("unique_viewers"),
        watchMs.as("watch_ms"),
        completions.as("completions"),
        sessions.as("sessions"));
  }

  /**
   * Daily figures per user (sessions started, events, watch time, distinct titles), of two kinds of
   * days in one computation, as {@link #titleCountryDaily}: days computed from their events, and
   * days whose sessions alone changed, whose held rows (every one from the day's events) are kept
   * but for their session counts.
   *
   * @param events the events of the days computed from events
   * @param held gold's rows of the days whose sessions alone changed (may be empty)
   * @param sessions silver sessions that started on either kind of day
   */
  public static Dataset<Row> userDaily(
      Dataset<Row> events, Dataset<Row> held, Dataset<Row> sessions) {
    Dataset<Row> viewing =
        events
            .withColumn(KEY_DAY, to_date(col("event_ts")))
            .groupBy(col(KEY_DAY), col("user_id"), col("country"))
            .agg(
                count(lit(1)).as("events"),
                sum(col("play_ms")).as("watch_ms"),
                count_distinct(col("title_id")).as("titles"));
    return userDailyRows(viewing.unionByName(held.drop("sessions")), sessions);
  }

  private static Dataset<Row> userDailyRows(Dataset<Row> viewing, Dataset<Row> sessions) {
    Dataset<Row> started =
        sessions
            .withColumn(KEY_DAY, to_date(col("session_start")))
            .groupBy(col(KEY_DAY), col("user_id"))
            .agg(count(lit(1)).as("sessions"));
    return viewing
        .join(started, new String[] {KEY_DAY, "user_id"}, "left_outer")
        .select(
            col(KEY_DAY),
            col("user_id"),
            col("country"),
            coalesce(col("sessions"), lit(0L)).as("sessions"),
            col("events"),
            col("watch_ms"),
            col("titles"));
  }
}
