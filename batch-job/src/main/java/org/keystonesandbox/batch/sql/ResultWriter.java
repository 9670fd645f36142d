package org.keystonesandbox.batch.sql;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.io.PrintWriter;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

  /**
   * Prints {@code result} and returns how many rows it printed. CSV and JSON stream the rows, a
   * partition at a time, so that a script can export a table larger than the console's memory.
   */
  long write(Dataset<Row> result) {
    String[] names = result.columns();
    long rows = 0;
    if (format == ResultFormat.JSON) {
      // Every column named in every line, null or not, so that each line has the same fields.
      Column line = to_json(struct(col("*")), Map.of("ignoreNullFields", "false"));
      for (Iterator<Row> lines = result.select(line).toLocalIterator(); lines.hasNext(); rows++) {
        out.println(lines.next().getString(0));
      }
      return rows;
    }
    Dataset<Row> text = asText(result);
    if (format == ResultFormat.CSV) {
      out.println(csvLine(names));
      for (Iterator<Row> it = text.toLocalIterator(); it.hasNext(); rows++) {
        out.println(csvLine(values(it.next())));
      }
      return rows;
    }
    List<String[]> table =
        text.limit(maxRows + 1).collectAsList().stream().map(ResultWriter::values).toList();
    boolean truncated = table.size() > maxRows;
    List<String[]> shown = truncated ? table.subList(0, maxRows) : table;
    printTable(names, shown);
    if (truncated) {
      out.printf(Locale.ROOT, "(only the first %,d rows shown: --max-rows)%n", maxRows);
    }
    return shown.size();
  }

  /** Every column cast to a string by Spark, under positional names (a join may repeat a name). */
  private static Dataset<Row> asText(Dataset<Row> result) {
    int width = result.columns().length;
    String[] positional = new String[width];
    Column[] asText = new Column[width];
    for (int i = 0; i < width; i++) {
      positional[i] = "c" + i;
      asText[i] = col(positional[i]).cast("string");
    }
    return result.toDF(positional).select(asText);
  }

  private static String[] values(Row row) {
    String[] values = new String[row.length()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.isNullAt(i) ? "NULL" : row.getString(i);
    }
    return values;
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
