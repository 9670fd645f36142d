package org.keystonesandbox.batch.sql;

import java.util.Locale;

/** How the console prints a result: an aligned table for people, CSV or JSON lines for scripts. */
public enum ResultFormat {
  TABLE,
  CSV,
  JSON;

  public static ResultFormat parse(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--format must be table, csv or json, not " + name, e);
    }
  }
}
