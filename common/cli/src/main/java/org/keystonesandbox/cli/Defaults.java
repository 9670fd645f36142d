package org.keystonesandbox.cli;

/**
 * The defaults the commands share, so that one command's output is where the next one looks by
 * default: the broker, the data folders and files under {@code data/}, Spark's UI port. Constants,
 * so that {@code @Option(defaultValue = Defaults.LAKE)} takes them.
 */
public final class Defaults {
  /** The broker the sandbox and the embedded broker listen on. */
  public static final String BOOTSTRAP_SERVER = "localhost:9092";

  /** The lake's warehouse folder (file catalog), and the REST catalog's. */
  public static final String LAKE = "data/lake";

  /** The generator's output folder: title catalog, ground truth, summary. */
  public static final String GENERATOR_DIR = "data/generator";

  /** The title catalog the generator writes and gold joins. */
  public static final String TITLES = GENERATOR_DIR + "/titles.csv";

  /** The batch chain's run log, one JSON line per stage run. */
  public static final String RUN_LOG = "data/batch-runs.jsonl";

  /** The verifier's JSON report. */
  public static final String VERIFY_REPORT = "data/verify/report.json";

  /** Spark's web UI while a Spark command runs. */
  public static final String SPARK_UI_PORT = "4040";

  private Defaults() {}
}
