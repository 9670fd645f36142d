package org.keystonesandbox.batch.sql;

import static org.apache.spark.sql.functions.col;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Prints a result in a {@link ResultFormat}. Every value is cast to a string by Spark itself, so
 * timestamps read in the session's time zone (UTC) and arrays, maps and structs as Spark shows
 * them.
 */
final class ResultWriter {
  private final PrintWriter out;
  private final ResultFormat format;
  private final int maxRows;

  ResultWriter(PrintWriter out, ResultFormat format, int maxRows) {
    this.out = out;
    this.format = format;
    this.maxRows = maxRows;
  }

  /** Prints {@code result} and returns how many rows it printed. */
  long write(Dataset<Row> result) {
    String[] names = result.columns();
    if (format == ResultFormat.JSON) {
      List<String> lines = result.toJSON().collectAsList();
      lines.forEach(out::println);
      return lines.size();
    }
    List<String[]> rows = asStrings(result, names.length, format == ResultFormat.TABLE);
    if (format == ResultFormat.CSV) {
      out.println(csvLine(names));
      rows.forEach(row -> out.println(csvLine(row)));
      return rows.size();
    }
    boolean truncated = rows.size() > maxRows;
    List<String[]> shown = truncated ? rows.subList(0, maxRows) : rows;
    printTable(names, shown);
    if (truncated) {
      out.printf(Locale.ROOT, "(only the first %,d rows shown: --max-rows)%n", maxRows);
    }
    return shown.size();
  }

  private List<String[]> asStrings(Dataset<Row> result, int width, boolean limited) {
    Column[] asText = new Column[width];
    String[] positional = new String[width];
    for (int i = 0; i < width; i++) {
      positional[i] = "c" + i;
      asText[i] = col(positional[i]).cast("string");
    }
    // Positional names: a join may return two columns of one name.
    Dataset<Row> text = result.toDF(positional).select(asText);
    List<Row> collected = limited ? text.limit(maxRows + 1).collectAsList() : text.collectAsList();
    List<String[]> rows = new ArrayList<>(collected.size());
    for (Row row : collected) {
      String[] values = new String[width];
      for (int i = 0; i < width; i++) {
        values[i] = row.isNullAt(i) ? "NULL" : row.getString(i);
      }
      rows.add(values);
    }
    return rows;
  }

  private void printTable(String[] names, List<String[]> rows) {
    int[] widths = new int[names.length];
    for (int i = 0; i < names.length; i++) {
      widths[i] = names[i].length();
      for (String[] row : rows) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    out.println(tableLine(names, widths));
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < widths.length; i++) {
      rule.append(i == 0 ? "" : "-+-").append("-".repeat(widths[i]));
    }
    out.println(rule);
    rows.forEach(row -> out.println(tableLine(row, widths)));
  }

  private static String tableLine(String[] values, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      line.append(i == 0 ? "" : " | ").append(values[i]);
      if (i < values.length - 1) {
        line.append(" ".repeat(widths[i] - values[i].length()));
      }
    }
    return line.toString();
  }

  private static String csvLine(String[] values) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      String v = values[i];
      boolean quote = v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r");
      line.append(i == 0 ? "" : ",").append(quote ? '"' + v.replace("\"", "\"\"") + '"' : v);
    }
    return line.toString();
  }
}
