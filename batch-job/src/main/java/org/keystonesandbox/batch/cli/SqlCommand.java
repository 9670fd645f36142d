package org.keystonesandbox.batch.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.jline.terminal.Terminal;
import org.keystonesandbox.batch.lake.LakeSettings;
import org.keystonesandbox.batch.sql.ResultFormat;
import org.keystonesandbox.batch.sql.SqlConsole;
import org.keystonesandbox.cli.CommandLines;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.cli.UsageException;
import org.keystonesandbox.events.names.PipelineNames;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keystone-batch-job sql}: Spark SQL with Iceberg's extensions on the lake. */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    usageHelpWidth = 100,
    modelTransformer = SqlCommand.WithoutJobOptions.class,
    description = {
      "Spark SQL on the lake, with Iceberg's SQL extensions (CALL lake.system.*, time travel,",
      "metadata tables such as lake.keystone.silver_events.snapshots). One statement with -e,",
      "a script with -f, an interactive prompt with history otherwise."
    },
    footer = ExitCodes.HELP_FOOTER)
final class SqlCommand implements Callable<Integer> {
  /**
   * The lake's flags without those that only tell a job how to write ({@code --write-mode}): a
   * statement says how it writes, and a table's properties do.
   */
  static final class WithoutJobOptions implements CommandLine.IModelTransformer {
    @Override
    public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec sql) {
      sql.remove(sql.findOption(LakeOptions.WRITE_MODE));
      return sql;
    }
  }

  /** The console's Log4j2 configuration: no stack traces, no task-failure logs. */
  static final String LOG_CONFIGURATION = "sql-console-log4j2.xml";

  @Mixin LakeOptions lake;

  @Option(
      names = {"-e", "--execute"},
      paramLabel = "SQL",
      description = "run these statements (separated by ';') and exit")
  String execute;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "run the statements of this file and exit")
  Path file;

  @Option(
      names = "--format",
      defaultValue = "table",
      description = "table, csv or json (one object per line) (default: ${DEFAULT-VALUE})")
  String format;

  @Option(
      names = "--max-rows",
      defaultValue = "1000",
      description = "rows a table shows at most (default: ${DEFAULT-VALUE})")
  int maxRows;

  @Option(
      names = "--history",
      defaultValue = "${sys:user.home}/.keystone_sql_history",
      description = "the interactive prompt's history file (default: ${DEFAULT-VALUE})")
  Path history;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    LakeSettings settings = CommandLines.settings(lake::settings);
    ResultFormat resultFormat = CommandLines.settings(() -> ResultFormat.parse(format));
    if (execute != null && file != null) {
      throw new UsageException("give -e or -f, not both");
    }
    if (maxRows < 1) {
      throw new UsageException("--max-rows must be at least 1");
    }
    String script = file == null ? execute : Files.readString(file);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    SparkSession spark = lake.session("keystone-batch-job sql");
    try {
      useNamespace(spark, settings, err);
      SqlConsole console = new SqlConsole(spark, out, err, resultFormat, maxRows);
      if (script != null) {
        return console.executeScript(script) ? ExitCodes.OK : ExitCodes.FAILED;
      }
      out.println(banner(spark, settings));
      try (Terminal terminal = SqlConsole.terminal(System.in, System.out)) {
        console.interactive(terminal, history);
      }
      return ExitCodes.OK;
    } finally {
      spark.stop();
    }
  }

  /** Tables can be named without catalog and namespace once the namespace exists. */
  private static void useNamespace(SparkSession spark, LakeSettings settings, PrintWriter err) {
    String namespace = PipelineNames.LAKE_CATALOG + "." + settings.namespace();
    try {
      spark.sql("USE " + namespace);
    } catch (Exception noNamespaceYet) { // checked in Java, thrown undeclared by Scala
      err.println(
          "note: "
              + namespace
              + " does not exist yet (no job has run), so name tables in full: "
              + SqlConsole.oneLine(noNamespaceYet));
      spark.sql("USE " + PipelineNames.LAKE_CATALOG);
    }
  }

  private static String banner(SparkSession spark, LakeSettings settings) {
    String where =
        settings.catalogType() == LakeSettings.CatalogType.HADOOP
            ? "file catalog in " + settings.warehouse().toAbsolutePath()
            : "REST catalog at " + settings.catalogUri();
    String ui =
        spark.sparkContext().uiWebUrl().isDefined()
            ? "; Spark UI at " + spark.sparkContext().uiWebUrl().get()
            : "";
    return "Spark SQL on "
        + PipelineNames.LAKE_CATALOG
        + " ("
        + where
        + ui
        + ").\nEnd a statement with ';'; quit leaves. Try: SHOW TABLES; or SELECT * FROM "
        + PipelineNames.LAKE_CATALOG
        + "."
        + settings.namespace()
        + "."
        + PipelineNames.SILVER_EVENTS
        + ".snapshots;";
  }
}
