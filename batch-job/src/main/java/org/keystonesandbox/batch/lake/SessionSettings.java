package org.keystonesandbox.batch.lake;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Spark session settings applied for a while: the session may be shared, so they are undone. */
public final class SessionSettings {
  private SessionSettings() {}

  /**
   * Sets {@code settings} until the returned handle is closed, which restores the former values.
   */
  public static AutoCloseable apply(SparkSession spark, Map<String, String> settings) {
    Map<String, String> previous = new LinkedHashMap<>();
    settings.forEach(
        (key, value) -> {
          previous.put(key, spark.conf().getOption(key).getOrElse(() -> null));
          spark.conf().set(key, value);
        });
    return () ->
        previous.forEach(
            (key, value) -> {
              if (value == null) {
                spark.conf().unset(key);
              } else {
                spark.conf().set(key, value);
              }
            });
  }
}
