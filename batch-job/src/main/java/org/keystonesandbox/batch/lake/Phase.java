package org.keystonesandbox.batch.lake;

import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one step of a job and logs how long it took: the jobs' progress lines. */
public final class Phase {
  private static final Logger LOG = LoggerFactory.getLogger("org.keystonesandbox.batch.progress");

  /** A step that returns nothing. */
  public interface Step {
    void run() throws Exception;
  }

  private Phase() {}

  /** Runs {@code work}; a checked exception comes back wrapped, naming the step. */
  public static <T> T timed(String description, Callable<T> work) {
    long started = System.nanoTime();
    T result;
    try {
      result = work.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("failed before \"" + description + "\": " + e, e);
    }
    LOG.info("{} ({} ms)", description, (System.nanoTime() - started) / 1_000_000);
    return result;
  }

  public static void timed(String description, Step step) {
    timed(
        description,
        () -> {
          step.run();
          return null;
        });
  }
}
