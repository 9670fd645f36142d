package org.keystonesandbox.cli;

/**
 * The command line is wrong: flags that contradict each other or a value out of range, found once
 * the flags are read. Exit {@link ExitCodes#USAGE}; an {@link IllegalArgumentException} thrown
 * while the work runs is an error of the work, not of the flags.
 */
public final class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }

  public UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
