package org.keystonesandbox.labs;

/**
 * One system-design question answered by running it: a scripted scenario on the embedded stack that
 * prints what it does, the figures that show the effect, the queries to look for oneself, and
 * checks the expected effect.
 */
public interface Lab {
  /** The name {@code lab <name>} takes, also the folder of the lab's page. */
  String name();

  /** One line for {@code lab --list}. */
  String summary();

  /** Runs the scenario; what it expects is recorded with {@link LabRun#check}. */
  void run(LabRun run) throws Exception;
}
