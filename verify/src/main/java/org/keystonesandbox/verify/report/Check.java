package org.keystonesandbox.verify.report;

import java.util.List;

/**
 * One comparison of the report: a stage, what was compared, the expected and the actual figure,
 * and, when they differ, the first differing rows.
 */
public record Check(
    String stage,
    String name,
    Outcome outcome,
    String expected,
    String actual,
    List<String> details) {

  public Check {
    details = List.copyOf(details);
  }

  /** What a check found. */
  public enum Outcome {
    PASS,
    /** The figures differ although the stage has caught up: a real mismatch. */
    FAIL,
    /** The stage has not processed everything yet, so nothing can be said. */
    NOT_READY,
    /** Not pass or fail: an explanation, such as where the real-time answer differs and why. */
    INFO
  }

  public static Check pass(String stage, String name, Object value) {
    return new Check(
        stage, name, Outcome.PASS, String.valueOf(value), String.valueOf(value), List.of());
  }

  public static Check compare(String stage, String name, Object expected, Object actual) {
    return new Check(
        stage,
        name,
        expected.equals(actual) ? Outcome.PASS : Outcome.FAIL,
        String.valueOf(expected),
        String.valueOf(actual),
        List.of());
  }

  public static Check notReady(String stage, String name, String why) {
    return new Check(stage, name, Outcome.NOT_READY, "", "", List.of(why));
  }

  public static Check info(String stage, String name, String summary, List<String> details) {
    return new Check(stage, name, Outcome.INFO, "", summary, details);
  }
}
