package org.keystonesandbox.batch.lake;

import java.util.concurrent.Callable;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one step of a job and logs how long it took: the jobs' progress lines. The step also names
 * the Spark jobs it starts (their description in Spark's UI), after the chain's run and stage when
 * it runs in one ({@link #STAGE_PROPERTY}), e.g. {@code run 7 gold: completions merged}.
 */
public final class Phase {
  private static final Logger LOG = LoggerFactory.getLogger("org.keystonesandbox.batch.progress");

  /** The thread's Spark local property naming the chain's run and stage, set by the chain. */
  public static final String STAGE_PROPERTY = "keystone.stage";

  private static final String JOB_DESCRIPTION = "spark.job.description";

  /** A step that returns nothing. */
  public interface Step {
    void run() throws Exception;
  }

  private Phase() {}

  /** Runs {@code work}; a checked exception comes back wrapped, naming the step. */
  public static <T> T timed(String description, Callable<T> work) {
    long started = System.nanoTime();
    SparkContext spark = SparkSession.active().sparkContext();
    String previous = spark.getLocalProperty(JOB_DESCRIPTION);
    String stage = spark.getLocalProperty(STAGE_PROPERTY);
    spark.setJobDescription(stage == null ? description : stage + " " + description);
    T result;
    try {
      result = work.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("failed before \"" + description + "\": " + e, e);
    } finally {
      spark.setJobDescription(previous);
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
