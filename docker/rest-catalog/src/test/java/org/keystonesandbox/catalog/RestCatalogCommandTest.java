package org.keystonesandbox.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.cli.CommandHarness;
import org.keystonesandbox.cli.CommandMain;
import org.keystonesandbox.cli.ExitCodes;

class RestCatalogCommandTest {
  private final CommandHarness cli = harness(Map.of());

  private static CommandHarness harness(Map<String, String> env) {
    return new CommandHarness(
        new CommandMain(
            RestCatalogMain.NAME,
            "cannot start",
            "rest-catalog-log4j2.xml",
            (out, err) -> new RestCatalogMain(out, env)));
  }

  @Test
  void everyCommandAndSubcommandAnswersHelpWithItsUsageAndTheExitCodes() {
    cli.assertEveryCommandAnswersHelp();
  }

  @Test
  void helpNamesTheListenAddressFlagAndItsDefault() {
    assertThat(cli.run("--help")).isEqualTo(ExitCodes.OK);
    assertThat(cli.output())
        .contains("--bind=ADDRESS")
        .contains("else 127.0.0.1")
        .contains("--port=PORT");
  }

  @Test
  void anUnknownFlagIsOneUsageLine() {
    assertThat(cli.run("--warehouse", "x")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors())
        .startsWith("rest-catalog: Unknown option")
        .contains("'--warehouse'")
        .hasLineCount(1);
  }

  @Test
  void aPortOutOfRangeInTheFlagOrTheVariableIsOneUsageLine() {
    assertThat(cli.run("--port", "70000")).isEqualTo(ExitCodes.USAGE);
    assertThat(harness(Map.of("CATALOG_REST_PORT", "http")).run()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.errors().strip())
        .isEqualTo("rest-catalog: the port must be 0-65535, not 70000 (see --help)");
  }

  @Test
  void aStartThatFailsForWantOfThePortOrTheDatabaseIsUnavailableNotAMismatch() {
    assertThat(
            RestCatalogMain.unavailable(
                new IllegalStateException(new java.net.BindException("Address already in use"))))
        .isTrue();
    assertThat(RestCatalogMain.unavailable(new IllegalStateException("bug"))).isFalse();
  }
}
