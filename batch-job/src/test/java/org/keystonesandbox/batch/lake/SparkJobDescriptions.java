package org.keystonesandbox.batch.lake;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/** The descriptions of the Spark jobs some work starts, as Spark's UI lists them. */
public final class SparkJobDescriptions {
  private SparkJobDescriptions() {}

  /** Runs {@code work} and returns the description of every Spark job it started. */
  public static List<String> of(SparkSession spark, Callable<?> work) throws Exception {
    List<String> descriptions = new CopyOnWriteArrayList<>();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart job) {
            descriptions.add(String.valueOf(job.properties().getProperty("spark.job.description")));
          }
        };
    spark.sparkContext().addSparkListener(listener);
    try {
      work.call();
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
    return List.copyOf(descriptions);
  }
}
