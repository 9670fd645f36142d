package org.keystonesandbox.batch.chain;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.bronze.BronzeJob;
import org.keystonesandbox.batch.gold.GoldJob;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.lake.Phase;
import org.keystonesandbox.batch.maintenance.MaintenanceJob;
import org.keystonesandbox.batch.silver.SilverJob;

/**
 * Bronze, silver and gold in order, on an interval: a miniature workflow orchestrator. A stage that
 * fails is retried after a pause; a run whose stage fails every attempt is abandoned (the next run
 * redoes its work, since every stage is atomic and idempotent). Every attempt goes to the run log.
 */
public final class ChainRunner {
  public record Settings(
      Duration interval,
      long runs,
      int attempts,
      Duration retryPause,
      int maintenanceEvery,
      Path runLog) {}

  /** How the chain ended. */
  public record Outcome(long runs, long failedRuns) {}

  private final SparkSession spark;
  private final LakeSettings lake;
  private final BronzeJob.Settings bronze;
  private final SilverJob.Settings silver;
  private final GoldJob.Settings gold;
  private final MaintenanceJob.Settings maintenance;
  private final Settings settings;
  private final PrintWriter out;
  private final RunLog log;

  public ChainRunner(
      SparkSession spark,
      LakeSettings lake,
      BronzeJob.Settings bronze,
      SilverJob.Settings silver,
      GoldJob.Settings gold,
      MaintenanceJob.Settings maintenance,
      Settings settings,
      PrintWriter out) {
    this.spark = spark;
    this.lake = lake;
    this.bronze = bronze;
    this.silver = silver;
    this.gold = gold;
    this.maintenance = maintenance;
    this.settings = settings;
    this.out = out;
    this.log = new RunLog(settings.runLog());
  }

  public Outcome run() throws InterruptedException {
    long first = log.lastRun() + 1;
    long failed = 0;
    long done = 0;
    for (long run = first; settings.runs() <= 0 || done < settings.runs(); run++) {
      Instant started = Instant.now();
      boolean ok =
          stage(run, "bronze", () -> figures(new BronzeJob(spark, lake).run(bronze)))
              && stage(run, "silver", () -> figures(new SilverJob(spark, lake).run(silver)))
              && stage(run, "gold", () -> figures(new GoldJob(spark, lake).run(gold)));
      if (ok && settings.maintenanceEvery() > 0 && run % settings.maintenanceEvery() == 0) {
        ok = stage(run, "maintenance", () -> maintenanceFigures());
      }
      done++;
      if (!ok) {
        failed++;
      }
      out.printf(
          "run %d %s in %.1f s%n",
          run, ok ? "done" : "FAILED", Duration.between(started, Instant.now()).toMillis() / 1e3);
      if (settings.runs() > 0 && done >= settings.runs()) {
        break;
      }
      Duration rest = settings.interval().minus(Duration.between(started, Instant.now()));
      if (!rest.isNegative()) {
        Thread.sleep(rest.toMillis());
      }
    }
    return new Outcome(done, failed);
  }

  private boolean stage(long run, String name, Callable<Map<String, Object>> work)
      throws InterruptedException {
    for (int attempt = 1; attempt <= settings.attempts(); attempt++) {
      Instant started = Instant.now();
      // Spark's UI then names every job of the attempt after it, not after Spark's internals.
      String stage = "run " + run + " " + name + (attempt > 1 ? " (attempt " + attempt + ")" : "");
      spark.sparkContext().setJobGroup("run-" + run + "-" + name + "-" + attempt, stage, false);
      spark.sparkContext().setLocalProperty(Phase.STAGE_PROPERTY, stage);
      try {
        Map<String, Object> figures = work.call();
        log.append(
            new RunLog.Entry(run, name, attempt, started, seconds(started), "ok", figures, null));
        out.printf("run %d %s: %s%n", run, name, figures);
        return true;
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        String error = e.getClass().getSimpleName() + ": " + e.getMessage();
        log.append(
            new RunLog.Entry(
                run, name, attempt, started, seconds(started), "failed", Map.of(), error));
        out.printf("run %d %s attempt %d failed: %s%n", run, name, attempt, error);
        if (attempt < settings.attempts()) {
          Thread.sleep(settings.retryPause().toMillis());
        }
      } finally {
        spark.sparkContext().clearJobGroup();
        spark.sparkContext().setLocalProperty(Phase.STAGE_PROPERTY, null);
      }
    }
    return false;
  }

  private static double seconds(Instant started) {
    return Duration.between(started, Instant.now()).toMillis() / 1e3;
  }

  private static Map<String, Object> figures(BronzeJob.Result r) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("records_read", r.recordsRead());
    f.put("events_appended", r.eventsAppended());
    f.put("rejects_appended", r.rejectedAppended());
    f.put("offsets", r.to());
    return f;
  }

  /** Silver's figures in the run log, with the rows set aside beyond the repair horizon. */
  static Map<String, Object> figures(SilverJob.Result r) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("bronze_rows_read", r.bronzeRowsRead());
    f.put("event_days", r.eventDays().size());
    f.put("session_days", r.sessionDays().size());
    f.put("sessions_written", r.sessionsWritten());
    f.put("set_aside", r.setAside());
    return f;
  }

  private static Map<String, Object> figures(GoldJob.Result r) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("days", r.days().size());
    f.put("title_country_rows", r.titleCountryRows());
    f.put("user_day_rows", r.userDayRows());
    return f;
  }

  private Map<String, Object> maintenanceFigures() {
    Map<String, Object> f = new LinkedHashMap<>();
    for (MaintenanceJob.TableResult t : new MaintenanceJob(spark, lake).run(maintenance)) {
      f.put(t.table() + "_files_rewritten", t.filesRewritten());
      f.put(t.table() + "_orphans", t.orphans());
    }
    return f;
  }
}
