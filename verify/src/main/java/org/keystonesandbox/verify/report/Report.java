package org.keystonesandbox.verify.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.keystonesandbox.cli.AtomicFiles;
import org.keystonesandbox.verify.report.Check.Outcome;

/**
 * The verification report: every check, and the verdict. Printed as text for people and written as
 * JSON for the status view.
 */
public record Report(String at, double seconds, Outcome verdict, List<Check> checks) {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public Report {
    checks = List.copyOf(checks);
  }

  /** FAIL if any check failed, else NOT_READY if any stage is behind, else PASS. */
  public static Report of(Instant at, double seconds, List<Check> checks) {
    Outcome verdict = Outcome.PASS;
    for (Check check : checks) {
      if (check.outcome() == Outcome.FAIL) {
        verdict = Outcome.FAIL;
      } else if (check.outcome() == Outcome.NOT_READY && verdict == Outcome.PASS) {
        verdict = Outcome.NOT_READY;
      }
    }
    return new Report(at.toString(), seconds, verdict, checks);
  }

  public String text() {
    StringBuilder out = new StringBuilder();
    out.append("verification at ").append(at).append('\n');
    String stage = null;
    for (Check check : checks) {
      if (!check.stage().equals(stage)) {
        stage = check.stage();
        out.append('\n').append(stage).append('\n');
      }
      out.append(
          String.format(
              Locale.ROOT,
              "  %-9s %-44s %s%n",
              label(check.outcome()),
              check.name(),
              figures(check)));
      for (String detail : check.details()) {
        out.append("            ").append(detail).append('\n');
      }
    }
    out.append(
        String.format(
            Locale.ROOT,
            "%nverdict: %s (%d checks, %.1f s)%n",
            verdictLine(),
            checks.size(),
            seconds));
    return out.toString();
  }

  private String verdictLine() {
    return switch (verdict) {
      case PASS -> "PASS, every stage equals the ground truth exactly";
      case FAIL -> "FAIL, see the checks marked MISMATCH";
      case NOT_READY -> "NOT READY, a stage has not caught up yet";
      case INFO -> "INFO";
    };
  }

  private static String label(Outcome outcome) {
    return switch (outcome) {
      case PASS -> "ok";
      case FAIL -> "MISMATCH";
      case NOT_READY -> "waiting";
      case INFO -> "note";
    };
  }

  private static String figures(Check check) {
    return switch (check.outcome()) {
      case PASS -> check.actual();
      case FAIL -> "expected " + check.expected() + ", found " + check.actual();
      case NOT_READY -> "";
      case INFO -> check.actual();
    };
  }

  /** Reads a report that {@link #writeJson} wrote. */
  public static Report readJson(Path file) {
    try {
      return JSON.readValue(file.toFile(), Report.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the report " + file, e);
    }
  }

  /** Writes the JSON atomically, so that a reader never sees half a report. */
  public void writeJson(Path file) {
    try {
      AtomicFiles.write(file, out -> JSON.writeValue(out, this));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report to " + file, e);
    }
  }
}
