package org.keystonesandbox.stream.topology;

/** Everything the job holds for one user. */
public class UserState {
  /** Sorted by start; separated from each other by more than the gap. */
  public SessionState[] sessions = new SessionState[0];

  /** The ids of the user's events that are still remembered for deduplication. */
  public SeenIds seen = new SeenIds();

  /** When the remembered ids are next scanned for expiry; {@link Long#MAX_VALUE} if none. */
  public long nextSweep = Long.MAX_VALUE;

  /** The earliest event-time timer known to be registered for this user. */
  public long wakeAt = Long.MAX_VALUE;

  public UserState() {}
}
