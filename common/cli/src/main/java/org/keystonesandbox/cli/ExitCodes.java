package org.keystonesandbox.cli;

/** The exit codes every command of the project uses, each with one meaning. */
public final class ExitCodes {
  /**
   * Done: the work finished. (Ctrl-C ends a command with the shell's 130, after its shutdown hooks
   * have stopped it cleanly.)
   */
  public static final int OK = 0;

  /**
   * The work ran to a negative result: a verification found a mismatch, a run fell short, a lab did
   * not observe its effect, a statement of a script failed.
   */
  public static final int FAILED = 1;

  /** The command line was wrong: an unknown flag, a bad value, flags that contradict each other. */
  public static final int USAGE = 2;

  /** Something the command needs is unavailable: Kafka unreachable, a file it cannot read. */
  public static final int UNAVAILABLE = 3;

  /** Not caught up yet: a stage has not reached what it is compared with (verify). */
  public static final int NOT_READY = 4;

  /**
   * An error stopped the work before it reached a result: a job failed, the command crashed. The
   * error line names the root cause.
   */
  public static final int ERROR = 5;

  /**
   * The table above as one footer line of every {@code --help} ({@code %n} is picocli's line
   * break): a constant, so that {@code @Command(footer = {..., ExitCodes.HELP_FOOTER})} takes it.
   */
  public static final String HELP_FOOTER =
      "%nExit codes: 0 done, 1 failed (a mismatch, a run that fell short), 2 bad flags,%n"
          + "3 Kafka or a file unavailable, 4 not caught up yet,%n"
          + "5 error (a job failed, a crash).";

  private ExitCodes() {}
}
