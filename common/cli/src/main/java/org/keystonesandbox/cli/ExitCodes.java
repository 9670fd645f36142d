package org.keystonesandbox.cli;

/** The exit codes every command of the project uses, each with one meaning. */
public final class ExitCodes {
  /**
   * Done: the work finished. (Ctrl-C ends a command with the shell's 130, after its shutdown hooks
   * have stopped it cleanly.)
   */
  public static final int OK = 0;

  /** The work ran and failed: a job failed, a verification found a mismatch, a run fell short. */
  public static final int FAILED = 1;

  /** The command line was wrong: an unknown flag, a bad value, flags that contradict each other. */
  public static final int USAGE = 2;

  /** Something the command needs is unavailable: Kafka unreachable, a file it cannot read. */
  public static final int UNAVAILABLE = 3;

  /** Not caught up yet: a stage has not reached what it is compared with (verify). */
  public static final int NOT_READY = 4;

  /**
   * The table above as one footer line of every {@code --help} ({@code %n} is picocli's line
   * break): a constant, so that {@code @Command(footer = {..., ExitCodes.HELP_FOOTER})} takes it.
   */
  public static final String HELP_FOOTER =
      "%nExit codes: 0 done, 1 failed (job failed, mismatch, run fell short),%n"
          + "2 bad flags, 3 Kafka or a file unavailable, 4 not caught up yet.";

  private ExitCodes() {}
}
