package org.keystonesandbox.labs;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a lab prints: numbered steps, tables of figures side by side, queries to paste into the
 * console, and the checks that make its verdict.
 */
public final class LabReport {
  /** One expectation of the lab and whether the run met it. */
  public record Check(String expectation, boolean passed, String found) {}

  private final PrintWriter out;
  private final List<Check> checks = new ArrayList<>();
  private int steps;

  public LabReport(PrintWriter out) {
    this.out = out;
  }

  public void title(String name, String summary) {
    out.println("lab " + name + ": " + summary);
    out.println();
  }

  public void step(String what) {
    out.printf("%d. %s%n", ++steps, what);
  }

  public void note(String text) {
    text.lines().forEach(line -> out.println("   " + line));
  }

  /** Figures as an aligned table; numbers right-aligned, with thousands separators. */
  public void table(List<String> header, List<List<Object>> rows) {
    List<List<String>> cells = new ArrayList<>();
    cells.add(header);
    for (List<Object> row : rows) {
      cells.add(row.stream().map(LabReport::cell).toList());
    }
    int[] widths = new int[header.size()];
    for (List<String> row : cells) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (int r = 0; r < cells.size(); r++) {
      StringBuilder line = new StringBuilder("   ");
      for (int i = 0; i < widths.length; i++) {
        String value = cells.get(r).get(i);
        boolean number =
            r > 0 && i > 0 && !rows.isEmpty() && rows.get(r - 1).get(i) instanceof Number;
        String pad = " ".repeat(widths[i] - value.length());
        line.append(i == 0 ? "" : "  ").append(number ? pad + value : value + pad);
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /** A statement the user can paste into {@code keystone-batch-job.jar sql}. */
  public void query(String sql) {
    out.println("   sql> " + sql + ";");
  }

  /** Records whether an expectation was met; a failed one is named in the verdict. */
  public boolean check(String expectation, boolean passed, String found) {
    checks.add(new Check(expectation, passed, found));
    out.printf(
        "   %s %s%s%n", passed ? "ok  " : "FAIL", expectation, found.isEmpty() ? "" : ": " + found);
    return passed;
  }

  public boolean passed() {
    return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
  }

  /** The last line: PASS with the number of checks, or FAIL naming each that differed. */
  public void verdict(double seconds) {
    out.println();
    if (passed()) {
      out.printf(
          Locale.ROOT,
          "verdict: PASS, the expected effect was observed (%d checks, %.0f s)%n",
          checks.size(),
          seconds);
      return;
    }
    List<String> failed =
        checks.stream()
            .filter(c -> !c.passed())
            .map(c -> c.expectation() + " (" + c.found() + ")")
            .toList();
    out.printf(
        Locale.ROOT,
        "verdict: FAIL, %s%n",
        failed.isEmpty() ? "the lab checked nothing" : String.join("; ", failed));
  }

  static String cell(Object value) {
    if (value instanceof Double d) {
      return String.format(Locale.ROOT, "%,.2f", d);
    }
    if (value instanceof Number n) {
      return String.format(Locale.ROOT, "%,d", n.longValue());
    }
    return String.valueOf(value);
  }
}
