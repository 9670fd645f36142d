package org.keystonesandbox.labs;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.iceberg.metrics.CommitReport;
import org.apache.iceberg.metrics.CounterResult;
import org.apache.iceberg.metrics.MetricsReport;
import org.apache.iceberg.metrics.MetricsReporter;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.events.names.PipelineNames;

/**
 * The attempts of each Iceberg commit a session makes, from the commit reports its catalog sends:
 * an attempt after the first is Iceberg's own retry, once another writer's commit of the same table
 * won the race for the next metadata version.
 */
public final class CommitAttempts implements MetricsReporter {
  /** One commit: the table and how many attempts it took. */
  record Commit(String table, long attempts) {}

  private static final Queue<Commit> COMMITS = new ConcurrentLinkedQueue<>();

  /** Iceberg makes one per catalog, by name. */
  public CommitAttempts() {}

  @Override
  public void report(MetricsReport report) {
    if (report instanceof CommitReport commit) {
      CounterResult attempts = commit.commitMetrics().attempts();
      COMMITS.add(new Commit(commit.tableName(), attempts == null ? 1 : attempts.value()));
    }
  }

  /**
   * Reports the commits of {@code session} from now on; call it before the session's first use of
   * the catalog.
   */
  static void count(SparkSession session) {
    session
        .conf()
        .set(
            "spark.sql.catalog." + PipelineNames.LAKE_CATALOG + ".metrics-reporter-impl",
            CommitAttempts.class.getName());
    // A session loads a catalog once, with the settings of the session active on the thread: a
    // statement of this session loads it now, with this setting.
    session.sql("SHOW NAMESPACES IN " + PipelineNames.LAKE_CATALOG).collectAsList();
  }

  /** The commits of {@code namespace} reported since the last call, oldest first. */
  static List<Commit> drain(String namespace) {
    List<Commit> commits = new ArrayList<>();
    for (Commit commit; (commit = COMMITS.poll()) != null; ) {
      if (commit.table().contains("." + namespace + ".")) {
        commits.add(commit);
      }
    }
    return commits;
  }
}
