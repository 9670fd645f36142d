package org.keystonesandbox.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.CommandHarness;
import org.keystonesandbox.cli.ExitCodes;

class LabCommandTest {
  private final CommandHarness cli = new CommandHarness(LabCommand.MAIN);

  @Test
  void listNamesEveryLabWithOneLineEach() {
    assertThat(cli.run("--list")).isEqualTo(ExitCodes.OK);
    assertThat(cli.output().lines())
        .hasSize(Labs.ALL.size())
        .allSatisfy(line -> assertThat(line).matches("[a-z-]+ +\\S.*"))
        .anySatisfy(line -> assertThat(line).startsWith("time-travel "));
  }

  @Test
  void anUnknownLabIsOneUsageLine() {
    assertThat(cli.run("no-such-lab")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors().strip())
        .isEqualTo("keystone-labs: no lab named no-such-lab (lab --list lists them) (see --help)");
  }

  @Test
  void aFolderTheLabsDidNotMakeIsNeverEmptied(@TempDir Path dir) throws Exception {
    Path precious = Files.writeString(dir.resolve("precious.txt"), "keep me");
    assertThat(cli.run("time-travel", "--data", dir.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(precious).hasContent("keep me");
    assertThat(cli.errors()).contains("was not made by the labs");
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

  @Test
  void everyCommandAndSubcommandAnswersHelpWithItsUsageAndTheExitCodes() {
    cli.assertEveryCommandAnswersHelp();
  }
}
