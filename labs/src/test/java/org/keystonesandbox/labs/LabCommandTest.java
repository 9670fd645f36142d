package org.keystonesandbox.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.ExitCodes;

class LabCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return LabCommand.commandLine(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))
        .execute(args);
  }

  @Test
  void listNamesEveryLabWithOneLineEach() {
    assertThat(run("--list")).isEqualTo(ExitCodes.OK);
    assertThat(out.toString(StandardCharsets.UTF_8).lines())
        .hasSize(Labs.ALL.size())
        .allSatisfy(line -> assertThat(line).matches("[a-z-]+ +\\S.*"))
        .anySatisfy(line -> assertThat(line).startsWith("time-travel "));
  }

  @Test
  void anUnknownLabIsOneUsageLine() {
    assertThat(run("no-such-lab")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .isEqualTo("keystone-labs: no lab named no-such-lab (lab --list lists them) (see --help)");
  }

  @Test
  void aFolderTheLabsDidNotMakeIsNeverEmptied(@TempDir Path dir) throws Exception {
    Path precious = Files.writeString(dir.resolve("precious.txt"), "keep me");
    assertThat(run("time-travel", "--data", dir.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(precious).hasContent("keep me");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("was not made by the labs");
  }

  @Test
  void aFolderTheLabsMadeIsEmptiedForTheNextLab(@TempDir Path dir) throws Exception {
    Path labs = dir.resolve("labs");
    LabCommand.prepare(labs);
    Path leftover = Files.writeString(labs.resolve("leftover.txt"), "from the last lab");
    LabCommand.prepare(labs);
    assertThat(leftover).doesNotExist();
    assertThat(labs.resolve(LabCommand.MARKER)).exists();
  }
}
