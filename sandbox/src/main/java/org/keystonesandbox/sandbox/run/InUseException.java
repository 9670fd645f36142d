package org.keystonesandbox.sandbox.run;

import java.io.IOException;

/**
 * What the run needs is taken by something else (a port, the data folder): the state of this
 * machine, not a bad flag, so it ends the command with the "unavailable" exit code, not as a usage
 * error.
 */
public final class InUseException extends IOException {
  InUseException(String message) {
    super(message);
  }
}
