package org.keystonesandbox.batch.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into statements at each {@code ;} that is not inside a quoted string, a quoted
 * identifier or a comment, as a SQL shell does.
 */
public final class SqlScript {
  private SqlScript() {}

  /** The statements of {@code text}, trimmed, without their {@code ;} and without empty ones. */
  public static List<String> statements(String text) {
    List<String> statements = new ArrayList<>();
    Scan scan = scan(text);
    int start = 0;
    for (int end : scan.terminators) {
      add(statements, text.substring(start, end));
      start = end + 1;
    }
    add(statements, text.substring(start));
    return statements;
  }

  /**
   * Whether {@code text} ends a statement: its last character that is not blank or in a comment is
   * a terminating {@code ;}, outside any quote. The console reads lines until this holds.
   */
  public static boolean isComplete(String text) {
    Scan scan = scan(text);
    return !scan.terminators.isEmpty()
        && !scan.openQuote
        && scan.lastCode == scan.terminators.get(scan.terminators.size() - 1);
  }

  private static void add(List<String> statements, String statement) {
    if (hasCode(statement)) {
      statements.add(statement.strip());
    }
  }

  private static boolean hasCode(String text) {
    return scan(text).lastCode >= 0;
  }

  private record Scan(List<Integer> terminators, int lastCode, boolean openQuote) {}

  private static Scan scan(String text) {
    List<Integer> terminators = new ArrayList<>();
    int lastCode = -1;
    char quote = 0;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
      if (quote != 0) {
        if (c == '\\' && quote != '`') {
          i += 2;
          continue;
        }
        if (c == quote) {
          quote = 0;
        }
        lastCode = i;
        i++;
      } else if (c == '-' && next == '-') {
        int newline = text.indexOf('\n', i);
        i = newline < 0 ? text.length() : newline + 1;
      } else if (c == '/' && next == '*') {
        int close = text.indexOf("*/", i + 2);
        i = close < 0 ? text.length() : close + 2;
      } else {
        if (c == '\'' || c == '"' || c == '`') {
          quote = c;
        } else if (c == ';') {
          terminators.add(i);
        }
        if (!Character.isWhitespace(c)) {
          lastCode = i;
        }
        i++;
      }
    }
    return new Scan(terminators, lastCode, quote != 0);
  }
}
