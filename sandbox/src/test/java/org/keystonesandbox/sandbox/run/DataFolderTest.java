package org.keystonesandbox.sandbox.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.cli.UsageException;
import org.keystonesandbox.sandbox.run.DataFolder.GeneratorRun;

class DataFolderTest {
  @TempDir Path home;

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  private String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  private static void finishedRun(Path dir, String lastEventTime) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("titles.csv"), "title_id\n");
    Files.writeString(
        dir.resolve("summary.json"), "{\"last_event_time\": \"" + lastEventTime + "\"}");
  }

  @Test
  void aMissingFolderIsCreatedWithTheMarker() throws Exception {
    Path dir = home.resolve("data");

    new DataFolder(dir).prepare(false, out);

    assertThat(dir.resolve(DataFolder.MARKER)).exists();
    assertThat(printed()).isEmpty();
  }

  @Test
  void aFolderWithOtherFilesIsRefusedAndLeftAsItWas() throws Exception {
    Files.writeString(home.resolve("precious.txt"), "keep me");

    assertThatThrownBy(() -> new DataFolder(home).prepare(true, out))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("is not empty and not a sandbox data folder");
    assertThat(home.resolve("precious.txt")).hasContent("keep me");
    assertThat(home.resolve(DataFolder.MARKER)).doesNotExist();
  }

  @Test
  void theSandboxsFolderIsContinuedKeepingWhatItHolds() throws Exception {
    DataFolder data = new DataFolder(home.resolve("data"));
    data.prepare(false, out);
    finishedRun(data.generator().resolve("run-001"), "2025-03-14T22:10:00Z");

    data.prepare(false, out);

    assertThat(data.generator().resolve("run-001/summary.json")).exists();
    assertThat(printed()).contains("continuing the pipeline in");
  }

  @Test
  void freshDeletesTheSandboxsFolderFirst() throws Exception {
    DataFolder data = new DataFolder(home.resolve("data"));
    data.prepare(false, out);
    finishedRun(data.generator().resolve("run-001"), "2025-03-14T22:10:00Z");

    data.prepare(true, out);

    assertThat(data.generator()).doesNotExist();
    assertThat(home.resolve("data").resolve(DataFolder.MARKER)).exists();
    assertThat(printed()).contains("--fresh: deleting");
  }

  @Test
  void theFirstGeneratorRunIsNumberOneAndStartsWhereTheGeneratorChooses() throws Exception {
    DataFolder data = new DataFolder(home);

    GeneratorRun run = data.nextGeneratorRun();

    assertThat(run.number()).isEqualTo(1);
    assertThat(run.dir()).isEqualTo(data.generator().resolve("run-001"));
    assertThat(run.titles()).isEqualTo(run.dir().resolve("titles.csv"));
    assertThat(run.start()).isEmpty();
  }

  @Test
  void aLaterRunSharesTheFirstRunsTitlesAndStartsAfterTheLatestEventOfAllRuns() throws Exception {
    DataFolder data = new DataFolder(home);
    finishedRun(data.generator().resolve("run-001"), "2025-03-14T22:10:00Z");
    finishedRun(data.generator().resolve("run-002"), "2025-03-15T09:00:00Z");

    GeneratorRun run = data.nextGeneratorRun();

    assertThat(run.number()).isEqualTo(3);
    assertThat(run.dir()).isEqualTo(data.generator().resolve("run-003"));
    assertThat(run.titles()).isEqualTo(data.generator().resolve("run-001/titles.csv"));
    assertThat(run.start()).contains(Instant.parse("2025-03-16T00:00:00Z"));
  }

  @Test
  void anUnfinishedEarlierRunIsRefusedWithTheWayOut() throws Exception {
    DataFolder data = new DataFolder(home);
    Files.createDirectories(data.generator().resolve("run-001"));

    assertThatThrownBy(data::nextGeneratorRun)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has no summary.json")
        .hasMessageContaining("--fresh");
  }

  @Test
  void aContinuationStartsAtTheFirstMidnightMoreThanAnHourAfterTheLastEvent() {
    assertThat(DataFolder.continuationStart(Instant.parse("2025-03-14T12:00:00Z")))
        .isEqualTo(Instant.parse("2025-03-15T00:00:00Z"));
    assertThat(DataFolder.continuationStart(Instant.parse("2025-03-14T23:30:00Z")))
        .isEqualTo(Instant.parse("2025-03-16T00:00:00Z"));
  }

  @Test
  void aSecondRunIsRefusedWhileTheFirstHoldsTheFolder(@TempDir Path dir) throws Exception {
    Path root = dir.resolve("data");
    AutoCloseable first = new DataFolder(root).lock();

    assertThatThrownBy(() -> new DataFolder(root).lock())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("another sandbox run is using");
    first.close();
    new DataFolder(root).lock().close();
  }

  @Test
  void freshKeepsTheLockOfTheRunThatHoldsIt(@TempDir Path dir) throws Exception {
    Path root = dir.resolve("data");
    DataFolder folder = new DataFolder(root);
    folder.prepare(false, new PrintStream(OutputStream.nullOutputStream()));
    Files.writeString(root.resolve("old.txt"), "");
    try (AutoCloseable lock = folder.lock()) {
      folder.prepare(true, new PrintStream(OutputStream.nullOutputStream()));

      assertThat(root.resolve("old.txt")).doesNotExist();
      assertThat(root.resolve(DataFolder.LOCK)).exists();
      assertThatThrownBy(() -> new DataFolder(root).lock()).isInstanceOf(InUseException.class);
    }
  }
}
