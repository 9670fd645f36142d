package org.keystonesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoldersTest {
  private static Path tree(Path root) throws IOException {
    Files.createDirectories(root.resolve("a/b/c"));
    Files.writeString(root.resolve("a/b/c/deep.txt"), "x");
    Files.writeString(root.resolve("a/top.txt"), "x");
    Files.writeString(root.resolve("run.lock"), "x");
    return root;
  }

  @Test
  void deleteRemovesTheWholeTreeAndTheRoot(@TempDir Path dir) throws IOException {
    Path root = tree(dir.resolve("data"));

    Folders.delete(root);

    assertThat(root).doesNotExist();
  }

  @Test
  void emptyKeepsTheRootAndTheEntriesAskedFor(@TempDir Path dir) throws IOException {
    Path root = tree(dir.resolve("data"));

    Folders.empty(root, root.resolve("run.lock")::equals);

    try (var left = Files.list(root)) {
      assertThat(left).containsExactly(root.resolve("run.lock"));
    }
  }

  @Test
  void aFolderThatIsNotThereIsFine(@TempDir Path dir) throws IOException {
    Folders.delete(dir.resolve("missing"));
    Folders.empty(dir.resolve("missing"), path -> false);

    assertThat(dir.resolve("missing")).doesNotExist();
  }
}
