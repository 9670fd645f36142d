package org.keystonesandbox.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.Jars;

/**
 * The SQL console ({@code keystone-batch-job.jar sql}) against the project's REST catalog, each in
 * a process of its own as a user starts them: a script file, then the interactive prompt fed on its
 * input, reading what the script wrote through the catalog.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlConsoleOverRestIT {
  private final Jars jars = new Jars(Jars.homeOf(LabCommand.class));
  private RestCatalogProcess catalog;
  private Path folder;

  @BeforeAll
  void startCatalog(@TempDir Path folder) throws Exception {
    this.folder = folder;
    catalog = RestCatalogProcess.start(jars.find(Jars.REST_CATALOG), folder.resolve("warehouse"));
  }

  @AfterAll
  void stopCatalog() throws InterruptedException {
    catalog.close();
  }

  @Test
  void aScriptWritesThroughTheCatalogAndThePromptReadsItBackGoingOnAfterAnError() throws Exception {
    Path script = folder.resolve("write.sql");
    Files.writeString(
        script,
        """
        CREATE NAMESPACE IF NOT EXISTS lake.console;
        CREATE TABLE lake.console.plays (user_id STRING, play_ms BIGINT) USING iceberg;
        INSERT INTO lake.console.plays VALUES ('u1', 1000), ('u2', 2500);
        INSERT INTO lake.console.plays VALUES ('u3', 500);
        SELECT count(*) AS snapshots FROM lake.console.plays.snapshots;
        """);
    Console written = console(List.of("--format", "csv", "-f", script.toString()), "");
    assertThat(written.code()).as(written.err()).isZero();
    assertThat(written.out().lines()).containsExactly("snapshots", "2");

    String typed =
        """
        SELECT count(*) AS n, sum(play_ms) AS ms FROM plays;
        SELECT * FROM nowhere;
        SELECT user_id FROM plays
          WHERE play_ms > 900 ORDER BY user_id;
        quit
        """;
    Console prompt = console(List.of(), typed);
    assertThat(prompt.code()).as(prompt.err()).isZero();
    assertThat(prompt.out())
        .contains("REST catalog at " + catalog.uri())
        .contains("n | ms")
        .contains("3 | 4000")
        .contains("user_id\n-------\nu1\nu2\n(2 rows, ")
        .doesNotContain("u3");
    assertThat(prompt.err().lines())
        .singleElement()
        .asString()
        .startsWith("error: [TABLE_OR_VIEW_NOT_FOUND] The table or view `nowhere`");
  }

  /** What the console printed and how it ended. */
  private record Console(int code, String out, String err) {}

  /** Runs the console on the catalog, in the test's namespace, with {@code typed} as its input. */
  private Console console(List<String> flags, String typed)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "sql",
                "--catalog",
                "rest",
                "--catalog-uri",
                catalog.uri(),
                "--namespace",
                "console",
                "--master",
                "local[1]",
                "--ui-port",
                "0",
                "--history",
                folder.resolve("history").toString()));
    args.addAll(flags);
    Path out = Files.createTempFile(folder, "console-", ".out");
    Path err = Files.createTempFile(folder, "console-", ".err");
    ProcessBuilder builder =
        new ProcessBuilder(Jars.javaCommand(jars.find(Jars.BATCH_JOB), List.of("-Xmx512m"), args))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    // the build's options for its test JVMs; the launcher would say on stderr that it took them
    builder.environment().remove("JDK_JAVA_OPTIONS");
    Process process = builder.start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(typed.getBytes(StandardCharsets.UTF_8));
    }
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly().waitFor();
      throw new IllegalStateException("the console did not end within 3 minutes");
    }
    return new Console(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
