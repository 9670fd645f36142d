package org.keystonesandbox.stream.bench;

import java.time.Duration;
import java.util.Locale;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.keystonesandbox.events.ViewingEventJson;
import org.keystonesandbox.stream.StreamJobSettings;

/**
 * The dedup and the sessions as a user would write them in Flink SQL instead of the job's keyed
 * operator: the events topic as a Kafka table with the job's watermark, {@code ROW_NUMBER()}
 * deduplication on {@code event_id} (first copy kept), a {@code SESSION} window table-valued
 * function partitioned by user with the job's gap, and the sessions written to Kafka exactly once
 * at the job's checkpoint interval.
 *
 * <p>Where it differs from the job: malformed records are skipped, not sent to a dead-letter topic;
 * the deduplication remembers every id for the whole run (its TTL counts processing time, which a
 * run of seconds never reaches), where the job forgets ids by event time; an event behind the
 * watermark is dropped by the window, where the job updates its session within the allowed lateness
 * and sends later ones aside; and two events exactly one gap apart are two sessions (the window is
 * half open), where the job makes them one.
 */
final class FlinkSqlSessions {
  private FlinkSqlSessions() {}

  /** Adds the SQL job's tables to {@code env} and returns its one insert, ready to execute. */
  static StatementSet statements(
      StreamExecutionEnvironment env, StreamJobSettings settings, String sessionsTopic) {
    StreamTableEnvironment tables = StreamTableEnvironment.create(env);
    String bootstrap = settings.kafka().bootstrapServers();
    tables.executeSql(
        String.format(
            Locale.ROOT,
            """
            CREATE TEMPORARY TABLE events (
              %s STRING,
              %s STRING,
              %s STRING,
              %s BIGINT,
              %s BIGINT,
              %s BIGINT,
              record_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
              event_time AS CASE
                WHEN %5$s <= %6$s + %7$d
                 AND TO_TIMESTAMP_LTZ(GREATEST(%5$s, %6$s), 3) <= record_time + %8$s
                THEN TO_TIMESTAMP_LTZ(%5$s, 3) END,
              arrival AS PROCTIME(),
              WATERMARK FOR event_time AS event_time - %9$s
            ) WITH (
              'connector' = 'kafka',
              'topic' = '%10$s',
              'properties.bootstrap.servers' = '%11$s',
              'properties.group.id' = '%12$s',
              'scan.startup.mode' = 'earliest-offset',
              'scan.bounded.mode' = 'latest-offset',
              'format' = 'json',
              'json.ignore-parse-errors' = 'true'
            )""",
            ViewingEventJson.EVENT_ID,
            ViewingEventJson.USER_ID,
            ViewingEventJson.TITLE_ID,
            ViewingEventJson.PLAY_MS,
            ViewingEventJson.EVENT_TS,
            ViewingEventJson.SENT_TS,
            ViewingEventJson.MAX_CLOCK_SKEW.toMillis(),
            interval(ViewingEventJson.MAX_CLOCK_SKEW),
            interval(settings.watermarks().outOfOrderness()),
            settings.kafka().eventsTopic(),
            bootstrap,
            settings.kafka().groupId()));
    tables.executeSql(
        String.format(
            Locale.ROOT,
            """
            CREATE TEMPORARY TABLE sessions (
              user_id STRING,
              session_start BIGINT,
              session_end BIGINT,
              events BIGINT,
              watch_ms BIGINT
            ) WITH (
              'connector' = 'kafka',
              'topic' = '%s',
              'properties.bootstrap.servers' = '%s',
              'properties.transaction.timeout.ms' = '%d',
              'properties.compression.type' = 'lz4',
              'properties.linger.ms' = '200',
              'sink.delivery-guarantee' = 'exactly-once',
              'sink.transactional-id-prefix' = '%s-sessions',
              'sink.transaction-naming-strategy' = 'POOLING',
              'format' = 'json'
            )""",
            sessionsTopic,
            bootstrap,
            settings.kafka().transactionTimeout().toMillis(),
            settings.kafka().transactionalIdPrefix()));
    tables.executeSql(
        """
        CREATE TEMPORARY VIEW unique_events AS
        SELECT event_id, user_id, title_id, play_ms, event_ts, event_time FROM (
          SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY arrival) AS copy
          FROM events
          WHERE event_id IS NOT NULL AND user_id IS NOT NULL AND event_time IS NOT NULL)
        WHERE copy = 1""");
    StatementSet insert = tables.createStatementSet();
    insert.addInsertSql(
        String.format(
            Locale.ROOT,
            """
            INSERT INTO sessions
            SELECT user_id, MIN(event_ts), MAX(event_ts), COUNT(*), SUM(play_ms)
            FROM TABLE(SESSION(TABLE unique_events PARTITION BY user_id,
                               DESCRIPTOR(event_time), %s))
            GROUP BY user_id, window_start, window_end""",
            interval(settings.sessions().gap())));
    return insert;
  }

  /** A SQL interval literal of {@code duration}, to the millisecond. */
  private static String interval(Duration duration) {
    return String.format(
        Locale.ROOT,
        "INTERVAL '%d %02d:%02d:%02d.%03d' DAY TO SECOND(3)",
        duration.toDays(),
        duration.toHoursPart(),
        duration.toMinutesPart(),
        duration.toSecondsPart(),
        duration.toMillisPart());
  }
}
