package org.keystonesandbox.events.names;

import java.util.List;

/**
 * The names the parts of the pipeline share: topics, consumer groups, the lake's catalog, namespace
 * and tables. Every job, the sandbox, the verifier and the tests take them from here, so a default
 * changes in one place.
 */
public final class PipelineNames {
  /** The generator's viewing events, keyed by user. */
  public static final String EVENTS_TOPIC = "viewing-events";

  /** The stream job's sessions, an upsert log keyed by user. */
  public static final String SESSIONS_TOPIC = "viewing-sessions";

  /** Events the stream job received later than its allowed lateness. */
  public static final String LATE_TOPIC = "late-events";

  /** Malformed records the stream job set aside, unchanged, with the reason in headers. */
  public static final String DEAD_LETTER_TOPIC = "events-dlq";

  /** The stream job's consumer group (committed offsets, lag) and transactional-id prefix. */
  public static final String STREAM_JOB_GROUP = "keystone-stream-job";

  /** The Spark catalog name every job registers: tables are {@code lake.<namespace>.<table>}. */
  public static final String LAKE_CATALOG = "lake";

  /** The namespace of the pipeline's tables unless a flag says otherwise. */
  public static final String LAKE_NAMESPACE = "keystone";

  public static final String BRONZE_EVENTS = "bronze_events";
  public static final String BRONZE_QUARANTINE = "bronze_quarantine";
  public static final String SILVER_EVENTS = "silver_events";
  public static final String SILVER_SESSIONS = "silver_sessions";

  /** Events that arrived after their day was closed (beyond silver's repair horizon). */
  public static final String SILVER_BEYOND_HORIZON = "silver_beyond_horizon";

  public static final String GOLD_TITLE_COUNTRY_DAILY = "gold_title_country_daily";
  public static final String GOLD_USER_DAILY = "gold_user_daily";
  public static final String GOLD_COMPLETIONS = "gold_playback_completions";

  /**
   * The marks each batch job leaves in its commits' snapshot summaries to know its place; the
   * status view and the verifier read them too. Bronze: the Kafka offsets to read next.
   */
  public static final String KAFKA_OFFSETS_MARK = "keystone.kafka-offsets";

  /** Silver: the bronze snapshot read up to. */
  public static final String BRONZE_SNAPSHOT_MARK = "keystone.bronze-snapshot";

  /** Gold: the silver sessions snapshot read up to. */
  public static final String SILVER_SNAPSHOT_MARK = "keystone.silver-snapshot";

  /**
   * The stream job's sessions landed in the lake by its Iceberg sink ({@code --lake-sessions}): the
   * sessions topic's upsert log applied, one commit per checkpoint. Not one of {@link #TABLES}: the
   * batch jobs neither write nor read it.
   */
  public static final String RT_SESSIONS = "rt_sessions";

  /** Every table, upstream first. */
  public static final List<String> TABLES =
      List.of(
          BRONZE_EVENTS,
          BRONZE_QUARANTINE,
          SILVER_EVENTS,
          SILVER_SESSIONS,
          SILVER_BEYOND_HORIZON,
          GOLD_TITLE_COUNTRY_DAILY,
          GOLD_USER_DAILY,
          GOLD_COMPLETIONS);

  private PipelineNames() {}
}
