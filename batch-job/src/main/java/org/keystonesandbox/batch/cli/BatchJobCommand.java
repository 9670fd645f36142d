package org.keystonesandbox.batch.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.keystonesandbox.batch.bronze.BronzeJob;
import org.keystonesandbox.batch.chain.ChainRunner;
import org.keystonesandbox.batch.forget.ForgetUserJob;
import org.keystonesandbox.batch.gold.GoldJob;
import org.keystonesandbox.batch.maintenance.MaintenanceJob;
import org.keystonesandbox.batch.silver.SilverJob;
import org.keystonesandbox.cli.CommandLines;
import org.keystonesandbox.cli.CommandMain;
import org.keystonesandbox.cli.Defaults;
import org.keystonesandbox.cli.ExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The batch layer's commands: {@code bronze}, {@code silver}, {@code gold}, {@code maintenance} and
 * {@code chain} (the three in order on an interval, with retries and a run log).
 *
 * <pre>
 * java -jar batch-job/target/keystone-batch-job.jar chain --titles data/generator/titles.csv
 * </pre>
 *
 * Each job prints one line saying what it read and wrote; the chain prints one per stage and
 * appends them to its run log. Exit status ({@link ExitCodes}): 0 done, 1 a statement of a {@code
 * sql} script failed, 2 bad flags, 3 Kafka unreachable or a file unreadable, 5 a job failed.
 */
@Command(
    name = "keystone-batch-job",
    mixinStandardHelpOptions = true,
    version = "keystone-batch-job 0.1.0",
    usageHelpWidth = 100,
    description = "Spark jobs that build the bronze, silver and gold Iceberg tables.",
    footer = ExitCodes.HELP_FOOTER,
    subcommands = {
      BatchJobCommand.Bronze.class,
      BatchJobCommand.Silver.class,
      BatchJobCommand.Gold.class,
      BatchJobCommand.Maintenance.class,
      BatchJobCommand.Chain.class,
      BatchJobCommand.Forget.class,
      SqlCommand.class
    })
public final class BatchJobCommand {

  private static final String NAME = "keystone-batch-job";

  /** The command's {@code main} and, for tests, its command line. */
  static final CommandMain MAIN =
      new CommandMain(
          NAME, "the job failed", "batch-job-log4j2.xml", (out, err) -> new BatchJobCommand());

  public static void main(String[] args) {
    // The console's own: what Spark logs about a failed statement would repeat its one-line error
    boolean console = args.length > 0 && args[0].equals("sql");
    (console ? MAIN.withLogConfiguration(SqlCommand.LOG_CONFIGURATION) : MAIN).run(args);
  }

  /** Runs {@code job} in a session named after the command, and stops the session after. */
  private abstract static class SparkCommand implements Callable<Integer> {
    @Mixin LakeOptions lake;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    abstract void validate();

    abstract String run(SparkSession spark) throws Exception;

    @Override
    public Integer call() throws Exception {
      CommandLines.validate(
          () -> {
            lake.settings();
            validate();
          });
      SparkSession spark = lake.session(NAME + " " + spec.name());
      try {
        spec.commandLine().getOut().println(run(spark));
        return ExitCodes.OK;
      } finally {
        spark.stop();
      }
    }
  }

  @Command(
      name = "bronze",
      mixinStandardHelpOptions = true,
      description = "Appends the topic's new records to bronze.",
      footer = ExitCodes.HELP_FOOTER)
  static final class Bronze extends SparkCommand {
    @Mixin BronzeOptions bronze;

    @Override
    void validate() {
      bronze.settings();
    }

    @Override
    String run(SparkSession spark) {
      BronzeJob.Result r = new BronzeJob(spark, lake.settings()).run(bronze.settings());
      return "bronze: read %d records, appended %d events and %d rejects; offsets now %s"
          .formatted(r.recordsRead(), r.eventsAppended(), r.rejectedAppended(), r.to());
    }
  }

  @Command(
      name = "silver",
      mixinStandardHelpOptions = true,
      description = "Deduplicates and sessionizes the days bronze touched.",
      footer = ExitCodes.HELP_FOOTER)
  static final class Silver extends SparkCommand {
    @Mixin SilverOptions silver;

    @Option(names = "--full", description = "recompute every day instead of the touched ones")
    boolean full;

    @Override
    void validate() {
      silver.settings(full);
    }

    @Override
    String run(SparkSession spark) {
      return line(new SilverJob(spark, lake.settings()).run(silver.settings(full)));
    }

    static String line(SilverJob.Result r) {
      return ("silver: read %d bronze rows; replaced %d event days and %d session days (%d"
              + " sessions); set aside %d rows beyond the repair horizon")
          .formatted(
              r.bronzeRowsRead(),
              r.eventDays().size(),
              r.sessionDays().size(),
              r.sessionsWritten(),
              r.setAside());
    }
  }

  @Command(
      name = "gold",
      mixinStandardHelpOptions = true,
      description = "Recomputes the daily metrics of the days silver changed.",
      footer = ExitCodes.HELP_FOOTER)
  static final class Gold extends SparkCommand {
    @Mixin GoldOptions gold;

    @Option(names = "--full", description = "recompute every day instead of the changed ones")
    boolean full;

    @Override
    void validate() {
      gold.settings(full);
    }

    @Override
    String run(SparkSession spark) throws Exception {
      GoldJob.Result r = new GoldJob(spark, lake.settings()).run(gold.settings(full));
      return "gold: recomputed %d days: %d title x country rows, %d user-day rows"
          .formatted(r.days().size(), r.titleCountryRows(), r.userDayRows());
    }
  }

  @Command(
      name = "maintenance",
      mixinStandardHelpOptions = true,
      description = "Compacts, expires snapshots, removes orphans.",
      footer = ExitCodes.HELP_FOOTER)
  static final class Maintenance extends SparkCommand {
    @Option(
        names = "--snapshot-retention",
        defaultValue = "1d",
        description = "keep snapshots this recent (default: ${DEFAULT-VALUE})")
    Duration retention;

    @Option(
        names = "--orphan-age",
        defaultValue = "3d",
        description = "remove unreferenced files older than this (default: ${DEFAULT-VALUE})")
    Duration orphanAge;

    @Override
    void validate() {
      if (retention.isNegative() || orphanAge.isNegative()) {
        throw new IllegalArgumentException("durations must not be negative");
      }
    }

    @Override
    String run(SparkSession spark) {
      List<MaintenanceJob.TableResult> results =
          new MaintenanceJob(spark, lake.settings())
              .run(new MaintenanceJob.Settings(retention, orphanAge));
      StringBuilder report = new StringBuilder("maintenance:");
      for (MaintenanceJob.TableResult t : results) {
        report.append(
            "%n  %s: %d files rewritten into %d, %d orphans removed"
                .formatted(t.table(), t.filesRewritten(), t.filesAdded(), t.orphans()));
      }
      return report.toString();
    }
  }

  @Command(
      name = "forget",
      mixinStandardHelpOptions = true,
      description = {
        "Erases one user from every table that holds them and from the tables' files: delete,",
        "compaction, expiry of older snapshots. Stop the chain first; it must have caught up."
      },
      footer = ExitCodes.HELP_FOOTER)
  static final class Forget extends SparkCommand {
    @Option(names = "--user", required = true, description = "the user_id to erase")
    String user;

    @Override
    void validate() {}

    @Override
    String run(SparkSession spark) {
      StringBuilder report = new StringBuilder("forget " + user + ":");
      for (ForgetUserJob.TableResult t : new ForgetUserJob(spark, lake.settings()).run(user)) {
        ForgetUserJob.Maintenance m = t.maintenance();
        report.append(
            ("%n  %s: %d rows deleted (%d delete files written, %d data files replaced), %d data"
                    + " files compacted; %d snapshots expired (%d data, %d delete, %d metadata"
                    + " files deleted), %d orphan files deleted")
                .formatted(
                    t.table(),
                    t.rowsDeleted(),
                    t.deleteFilesWritten(),
                    t.dataFilesReplaced(),
                    t.filesRewritten(),
                    m.snapshotsExpired(),
                    m.dataFilesDeleted(),
                    m.deleteFilesDeleted(),
                    m.metadataFilesDeleted(),
                    m.orphansDeleted()));
      }
      return report.toString();
    }
  }

  @Command(
      name = "chain",
      mixinStandardHelpOptions = true,
      description = "Runs bronze, silver, gold on an interval, with retries.",
      footer = ExitCodes.HELP_FOOTER)
  static final class Chain extends SparkCommand {
    @Mixin BronzeOptions bronze;
    @Mixin SilverOptions silver;
    @Mixin GoldOptions gold;

    @Option(
        names = "--interval",
        defaultValue = "30s",
        description = "time between run starts (default: ${DEFAULT-VALUE})")
    Duration interval;

    @Option(
        names = "--runs",
        defaultValue = "0",
        description = "stop after this many runs; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE})")
    long runs;

    @Option(
        names = "--attempts",
        defaultValue = "3",
        description = "attempts per stage before the run is abandoned (default: ${DEFAULT-VALUE})")
    int attempts;

    @Option(
        names = "--retry-pause",
        defaultValue = "5s",
        description = "pause before retrying a stage (default: ${DEFAULT-VALUE})")
    Duration retryPause;

    @Option(
        names = "--maintenance-every",
        defaultValue = "20",
        description = "run maintenance every N runs, 0 never (default: ${DEFAULT-VALUE})")
    int maintenanceEvery;

    @Option(
        names = "--run-log",
        defaultValue = Defaults.RUN_LOG,
        description = "the run log, one JSON line per stage attempt (default: ${DEFAULT-VALUE})")
    Path runLog;

    @Override
    void validate() {
      bronze.settings();
      silver.settings(false);
      gold.settings(false);
      if (attempts < 1) {
        throw new IllegalArgumentException("--attempts must be at least 1");
      }
    }

    @Override
    String run(SparkSession spark) throws Exception {
      ChainRunner.Outcome outcome =
          new ChainRunner(
                  spark,
                  lake.settings(),
                  bronze.settings(),
                  silver.settings(false),
                  gold.settings(false),
                  MaintenanceJob.Settings.DEFAULTS,
                  new ChainRunner.Settings(
                      interval, runs, attempts, retryPause, maintenanceEvery, runLog),
                  spec.commandLine().getOut())
              .run();
      if (outcome.failedRuns() > 0) {
        throw new IllegalStateException(
            outcome.failedRuns() + " of " + outcome.runs() + " runs failed");
      }
      return "chain: %d runs, all done".formatted(outcome.runs());
    }
  }
}
