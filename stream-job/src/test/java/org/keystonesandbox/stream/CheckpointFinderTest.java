package org.keystonesandbox.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFinderTest {
  /** A run's folder with one completed checkpoint written at {@code minute}. */
  static Path run(Path dir, String job, int minute) throws IOException {
    Path metadata = Files.createDirectories(dir.resolve(job).resolve("chk-1")).resolve("_metadata");
    Files.writeString(metadata, "");
    Files.setLastModifiedTime(metadata, FileTime.fromMillis(minute * 60_000L));
    return dir.resolve(job);
  }

  /** A run's folder, last changed at {@code minute}, whose checkpoint never completed. */
  private static Path unfinishedRun(Path dir, String job, int minute) throws IOException {
    Files.createDirectories(dir.resolve(job).resolve("chk-1"));
    Files.createDirectories(dir.resolve(job).resolve("shared"));
    Files.setLastModifiedTime(dir.resolve(job), FileTime.fromMillis(minute * 60_000L));
    return dir.resolve(job);
  }

  private static org.apache.flink.core.fs.Path local(Path path) {
    return new org.apache.flink.core.fs.Path(path.toUri());
  }

  private static org.apache.flink.core.fs.Path elsewhere(Path path) {
    return new org.apache.flink.core.fs.Path(ElsewhereFileSystem.SCHEME + "://" + path);
  }

  private static String pathOf(org.apache.flink.core.fs.Path path) {
    return path.toUri().getPath();
  }

  @Test
  void allButTheNewestRunsAreRemovedExceptTheOneBeingRestored(@TempDir Path dir)
      throws IOException {
    Path oldest = run(dir, "job-a", 1);
    Path restored = run(dir, "job-b", 2);
    Path third = run(dir, "job-c", 3);
    Path newest = run(dir, "job-d", 4);
    Path newer = run(dir, "job-e", 5);
    Path newestOfAll = run(dir, "job-f", 6);

    var removed =
        CheckpointFinder.removeAllButNewest(
            local(dir), 3, Optional.of(restored.resolve("chk-1").toString()));

    assertThat(removed.stream().map(CheckpointFinderTest::pathOf))
        .containsExactlyInAnyOrder(oldest.toString(), third.toString());
    assertThat(oldest).doesNotExist();
    assertThat(third).doesNotExist();
    assertThat(restored).exists();
    assertThat(newest).exists();
    assertThat(newer).exists();
    assertThat(newestOfAll).exists();
    assertThat(CheckpointFinder.newest(local(dir)).map(CheckpointFinderTest::pathOf))
        .contains(newestOfAll.resolve("chk-1").toString());
  }

  @Test
  void aJobFolderWithoutACompletedCheckpointIsRemovedWhenOlderThanTheNewestRunKept(
      @TempDir Path dir) throws IOException {
    Path unfinishedOld = unfinishedRun(dir, "0123456789abcdef0123456789abcdef", 1);
    Path kept = run(dir, "fedcba9876543210fedcba9876543210", 5);
    Path unfinishedNewer = unfinishedRun(dir, "00000000000000000000000000000001", 9);
    Path notAJob = unfinishedRun(dir, "notes", 1);

    var removed = CheckpointFinder.removeAllButNewest(local(dir), 3, Optional.empty());

    assertThat(removed.stream().map(CheckpointFinderTest::pathOf))
        .containsExactly(unfinishedOld.toString());
    assertThat(unfinishedOld).doesNotExist();
    assertThat(kept).exists();
    assertThat(unfinishedNewer).as("may be a job that just started").exists();
    assertThat(notAJob).as("not named like a job: not Flink's").exists();
  }

  @Test
  void aFolderOfAnotherFlinkFileSystemIsSearchedAndPrunedLikeALocalOne(@TempDir Path dir)
      throws IOException {
    Path oldest = run(dir, "job-a", 1);
    run(dir, "job-b", 2);
    Path newest = run(dir, "job-c", 3);

    assertThat(CheckpointFinder.newest(elsewhere(dir)))
        .hasValueSatisfying(
            found -> {
              assertThat(found.toUri().getScheme()).isEqualTo(ElsewhereFileSystem.SCHEME);
              assertThat(pathOf(found)).isEqualTo(newest.resolve("chk-1").toString());
            });
    assertThat(CheckpointFinder.removeAllButNewest(elsewhere(dir), 2, Optional.empty())).hasSize(1);
    assertThat(oldest).doesNotExist();
  }
}
