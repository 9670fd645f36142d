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
  private static Path run(Path dir, String job, int minute) throws IOException {
    Path metadata = Files.createDirectories(dir.resolve(job).resolve("chk-1")).resolve("_metadata");
    Files.writeString(metadata, "");
    Files.setLastModifiedTime(metadata, FileTime.fromMillis(minute * 60_000L));
    return dir.resolve(job);
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
            dir, 3, Optional.of(restored.resolve("chk-1").toString()));

    assertThat(removed).containsExactlyInAnyOrder(oldest, third);
    assertThat(oldest).doesNotExist();
    assertThat(third).doesNotExist();
    assertThat(restored).exists();
    assertThat(newest).exists();
    assertThat(newer).exists();
    assertThat(newestOfAll).exists();
    assertThat(CheckpointFinder.newest(dir)).contains(newestOfAll.resolve("chk-1"));
  }
}
