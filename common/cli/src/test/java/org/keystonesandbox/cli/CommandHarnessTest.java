package org.keystonesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

class CommandHarnessTest {

  @Command(name = "leaf", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER)
  static final class Leaf implements Callable<Integer> {
    @Override
    public Integer call() {
      System.out.println("not to be seen: the harness keeps its own streams");
      return ExitCodes.OK;
    }
  }

  @Command(name = "bare", footer = ExitCodes.HELP_FOOTER)
  static final class WithoutHelp implements Callable<Integer> {
    @Override
    public Integer call() {
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "middle",
      mixinStandardHelpOptions = true,
      footer = ExitCodes.HELP_FOOTER,
      subcommands = {Leaf.class, WithoutHelp.class})
  static final class Middle {}

  @Command(
      name = "tree",
      mixinStandardHelpOptions = true,
      footer = ExitCodes.HELP_FOOTER,
      subcommands = {Middle.class, Leaf.class})
  static final class Tree {}

  @Command(
      name = "tree",
      mixinStandardHelpOptions = true,
      footer = ExitCodes.HELP_FOOTER,
      subcommands = {Leaf.class})
  static final class GoodTree {}

  private static CommandHarness harness(Object command) {
    return new CommandHarness(new CommandMain("tree", "it failed", "none.xml", (o, e) -> command));
  }

  @Test
  void aSubcommandWithoutTheStandardHelpOptionsAnywhereInTheTreeFailsTheHelpCheckByName() {
    assertThatThrownBy(() -> harness(new Tree()).assertEveryCommandAnswersHelp())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("'tree middle bare --help' exited 2")
        .hasMessageContaining("Unknown option: '--help'")
        .hasMessageNotContaining("'tree middle leaf")
        .hasMessageNotContaining("'tree leaf");
  }

  @Test
  void aTreeWhoseEveryCommandAnswersHelpPasses() {
    assertThatCode(() -> harness(new GoodTree()).assertEveryCommandAnswersHelp())
        .doesNotThrowAnyException();
  }

  @Test
  void runKeepsOutputAndErrorsApartUntilReset() {
    CommandHarness cli = harness(new GoodTree());
    assertThat(cli.run("leaf", "--nope")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors()).isEqualTo("tree: Unknown option: '--nope' (see --help)\n");
    assertThat(cli.run("--help")).isEqualTo(ExitCodes.OK);
    assertThat(cli.output()).startsWith("Usage: tree");
    cli.reset();
    assertThat(cli.output()).isEmpty();
    assertThat(cli.errors()).isEmpty();
  }
}
