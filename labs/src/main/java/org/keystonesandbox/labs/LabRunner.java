package org.keystonesandbox.labs;

import java.io.PrintWriter;
import org.keystonesandbox.cli.CommandLines;

/** Runs one lab on an environment and reports its verdict. */
public final class LabRunner {
  private LabRunner() {}

  /**
   * @return whether the lab observed the effect it expects
   */
  public static boolean run(Lab lab, LabEnvironment env, PrintWriter out) {
    long started = System.nanoTime();
    LabReport report = new LabReport(out);
    report.title(lab.name(), lab.summary());
    LabRun run = new LabRun(env, lab.name(), report);
    report.note("look for yourself: " + run.consoleCommand());
    out.println();
    try {
      lab.run(run);
    } catch (Exception e) {
      report.check("the scenario runs to its end", false, CommandLines.rootMessage(e));
    }
    report.verdict((System.nanoTime() - started) / 1e9);
    return report.passed();
  }
}
