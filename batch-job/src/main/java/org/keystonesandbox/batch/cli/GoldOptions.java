package org.keystonesandbox.batch.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.keystonesandbox.batch.gold.GoldJob;
import org.keystonesandbox.batch.gold.JoinStrategy;
import org.keystonesandbox.cli.Defaults;
import picocli.CommandLine.Option;

final class GoldOptions {
  @Option(
      names = "--titles",
      defaultValue = Defaults.TITLES,
      description = "the title catalog the generator wrote (default: ${DEFAULT-VALUE})")
  Path titles;

  @Option(
      names = "--join-strategy",
      defaultValue = "broadcast",
      description = "plain, static, broadcast, aqe-skew or salted (default: ${DEFAULT-VALUE})")
  String joinStrategy;

  @Option(
      names = "--salt-buckets",
      defaultValue = "8",
      description = "buckets per title for --join-strategy salted (default: ${DEFAULT-VALUE})")
  int saltBuckets;

  @Option(
      names = "--skew-threshold-mb",
      defaultValue = "4",
      description = "partition size AQE treats as skewed (default: ${DEFAULT-VALUE})")
  long skewThresholdMb;

  GoldJob.Settings settings(boolean full) {
    if (!Files.isRegularFile(titles)) {
      throw new IllegalArgumentException("no title catalog at " + titles + " (--titles)");
    }
    JoinStrategy strategy;
    try {
      strategy = JoinStrategy.valueOf(joinStrategy.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--join-strategy must be plain, static, broadcast, aqe-skew or salted, not "
              + joinStrategy);
    }
    if (saltBuckets < 1) {
      throw new IllegalArgumentException("--salt-buckets must be at least 1");
    }
    return new GoldJob.Settings(titles, strategy, saltBuckets, skewThresholdMb << 20, full);
  }
}
