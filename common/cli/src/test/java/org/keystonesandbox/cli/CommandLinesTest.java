package org.keystonesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.keystonesandbox.events.topics.KafkaUnavailableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class CommandLinesTest {
  private final CommandHarness cli =
      new CommandHarness(
          new CommandMain("probe", "the job failed", "none.xml", (o, e) -> new Probe()));

  @Command(name = "probe", mixinStandardHelpOptions = true, footer = ExitCodes.HELP_FOOTER)
  static final class Probe implements Callable<Integer> {
    @Option(names = "--wait", defaultValue = "30s")
    Duration wait;

    @Option(names = "--throw")
    String toThrow;

    @Override
    public Integer call() throws Exception {
      if (toThrow == null) {
        return (int) wait.toSeconds();
      }
      throw switch (toThrow) {
        case "usage" -> new UsageException("--a and --b contradict each other");
        case "settings" ->
            CommandLines.<RuntimeException>settings(
                () -> {
                  throw new IllegalArgumentException("--a must be positive");
                });
        case "running" -> new IllegalArgumentException("Wrong FS: s3://bucket, expected file:///");
        case "kafka" -> new KafkaUnavailableException("no broker at localhost:1", null);
        case "file" -> new FileNotFoundException("truth.csv (No such file or directory)");
        case "port" ->
            new UnavailableException(
                "cannot listen on 127.0.0.1:8181: BindException: Address already in use", null);
        default -> new IllegalStateException("wrapper", new ArithmeticException("/ by zero"));
      };
    }
  }

  private int run(String... args) {
    return cli.run(args);
  }

  private String errText() {
    return cli.errors();
  }

  @Test
  void durationsUseTheProjectSyntax() {
    assertThat(run("--wait", "2m")).isEqualTo(120);
    assertThat(errText()).isEmpty();
  }

  @Test
  void aBadDurationIsOneUsageLine() {
    assertThat(run("--wait", "soon")).isEqualTo(ExitCodes.USAGE);
    assertThat(errText()).startsWith("probe: ").endsWith("(see --help)" + System.lineSeparator());
    assertThat(errText().lines()).hasSize(1);
  }

  @Test
  void anUnknownFlagIsOneUsageLine() {
    assertThat(run("--nope")).isEqualTo(ExitCodes.USAGE);
    assertThat(errText()).contains("--nope").contains("(see --help)");
    assertThat(errText().lines()).hasSize(1);
  }

  @Test
  void aUsageExceptionOrABadValueWhileBuildingTheSettingsIsAUsageError() {
    assertThat(run("--throw", "usage")).isEqualTo(ExitCodes.USAGE);
    assertThat(run("--throw", "settings")).isEqualTo(ExitCodes.USAGE);
    assertThat(errText().lines())
        .containsExactly(
            "probe: --a and --b contradict each other (see --help)",
            "probe: --a must be positive (see --help)");
  }

  @Test
  void anIllegalArgumentWhileTheWorkRunsIsAnErrorNotAUsageError() {
    assertThat(run("--throw", "running")).isEqualTo(ExitCodes.ERROR);
    assertThat(errText().strip())
        .isEqualTo(
            "probe: the job failed: IllegalArgumentException: Wrong FS: s3://bucket, expected"
                + " file:///");
  }

  @Test
  void anUnreachableBrokerAMissingFileOrATakenPortIsUnavailable() {
    assertThat(run("--throw", "kafka")).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(run("--throw", "file")).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(run("--throw", "port")).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(errText().lines())
        .containsExactly(
            "probe: no broker at localhost:1",
            "probe: FileNotFoundException: truth.csv (No such file or directory)",
            "probe: cannot listen on 127.0.0.1:8181: BindException: Address already in use");
  }

  @Test
  void anyOtherFailureNamesItsRootCauseOnOneLine() {
    assertThat(run("--throw", "other")).isEqualTo(ExitCodes.ERROR);
    assertThat(errText().strip())
        .isEqualTo("probe: the job failed: ArithmeticException: / by zero");
  }

  @Test
  void rootMessageOfAnExceptionWithoutMessageIsItsType() {
    assertThat(CommandLines.rootMessage(new RuntimeException(new InterruptedException())))
        .isEqualTo("InterruptedException");
  }

  @Test
  void everyCommandAnswersHelp() {
    cli.assertEveryCommandAnswersHelp();
  }

  @Test
  void helpEndsWithTheExitCodes() {
    assertThat(run("--help")).isEqualTo(ExitCodes.OK);
    assertThat(cli.output())
        .contains("Exit codes: 0 done, 1 failed")
        .contains("4 not caught up yet,")
        .contains("5 error (a job failed, a crash).");
  }
}
