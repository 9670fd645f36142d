package org.keystonesandbox.labs;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.keystonesandbox.cli.CommandMain;
import org.keystonesandbox.cli.Defaults;
import org.keystonesandbox.cli.ExitCodes;
import org.keystonesandbox.cli.Folders;
import org.keystonesandbox.cli.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keystone-labs.jar <lab>} (or {@code keystone-sandbox.jar lab <lab>}): runs one lab on an
 * embedded broker and Spark, prints its steps, figures and verdict; exit 0 when the expected effect
 * was observed, 1 when not.
 */
@Command(
    name = "lab",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Runs a lab: one system-design question answered by running it.",
    footer = ExitCodes.HELP_FOOTER)
public final class LabCommand implements Callable<Integer> {
  static final String NAME = "keystone-labs";

  /** Marks a folder the labs made, so that only such a folder is ever emptied. */
  static final String MARKER = ".keystone-labs";

  @Parameters(index = "0", arity = "0..1", paramLabel = "LAB", description = "the lab to run")
  String lab;

  @Option(names = "--list", description = "list the labs, one line each")
  boolean list;

  @Option(
      names = "--data",
      defaultValue = "data-labs",
      description = "the labs' folder, emptied before each lab (default: ${DEFAULT-VALUE})")
  Path data;

  @Option(
      names = "--ui-port",
      defaultValue = Defaults.SPARK_UI_PORT,
      description = "Spark's web UI while the lab runs, 0 for none (default: ${DEFAULT-VALUE})")
  int uiPort;

  private final PrintStream out;

  LabCommand(PrintStream out) {
    this.out = out;
  }

  /** The command's {@code main} and, for tests, its command line. */
  static final CommandMain MAIN =
      new CommandMain(
          NAME, "the lab could not run", "labs-log4j2.xml", (out, err) -> new LabCommand(out));

  public static void main(String[] args) {
    MAIN.run(args);
  }

  @Override
  public Integer call() throws IOException {
    if (list || lab == null) {
      Labs.ALL.forEach(l -> out.printf("%-22s %s%n", l.name(), l.summary()));
      return list ? ExitCodes.OK : ExitCodes.USAGE;
    }
    Lab chosen =
        Labs.named(lab)
            .orElseThrow(
                () -> new UsageException("no lab named " + lab + " (lab --list lists them)"));
    prepare(data);
    try (LabEnvironment env = LabEnvironment.start(data, uiPort)) {
      return LabRunner.run(chosen, env, new PrintWriter(out, true))
          ? ExitCodes.OK
          : ExitCodes.FAILED;
    }
  }

  /** Empties a folder the labs made before; refuses any other folder that is not empty. */
  static void prepare(Path folder) throws IOException {
    if (Files.isDirectory(folder)) {
      boolean ours = Files.exists(folder.resolve(MARKER));
      try (Stream<Path> entries = Files.list(folder)) {
        if (!ours && entries.findAny().isPresent()) {
          throw new UsageException(
              folder + " is not empty and was not made by the labs: pass another --data");
        }
      }
      Folders.empty(folder, file -> false);
    }
    Files.createDirectories(folder);
    Files.createFile(folder.resolve(MARKER));
  }
}
