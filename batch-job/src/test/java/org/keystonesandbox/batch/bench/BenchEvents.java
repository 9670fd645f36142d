package org.keystonesandbox.batch.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.keystonesandbox.ingest.GeneratorCommand;
import org.keystonesandbox.ingest.GeneratorRun;
import org.keystonesandbox.ingest.RunSummary;

/** The batch benchmarks' events: the generator, unthrottled, over about 30 days of event time. */
final class BenchEvents {
  private BenchEvents() {}

  /**
   * Writes {@code events} unique events to the events topic at {@code bootstrap}, its files in
   * {@code out}; {@code extra} flags are added to the generator's.
   */
  static RunSummary generate(String bootstrap, long events, Path out, String... extra)
      throws IOException {
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--bootstrap-server",
                bootstrap,
                "--count",
                Long.toString(events),
                "--unthrottled",
                "--speedup",
                "1030",
                "--compression",
                "lz4",
                "--out-dir",
                out.toString(),
                "--progress-interval",
                "30s"));
    flags.addAll(List.of(extra));
    return new GeneratorRun(
            GeneratorCommand.parseSettings(flags.toArray(String[]::new)), System.err)
        .run();
  }
}
