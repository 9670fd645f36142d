package org.keystonesandbox.cli;

/**
 * Something the command needs is unavailable (a port taken, a database it cannot open): the command
 * prints its message as the one error line and exits {@link ExitCodes#UNAVAILABLE}. The message
 * names what was unavailable and why.
 */
public class UnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
