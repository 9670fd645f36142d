package org.keystonesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No {@code catch} in the project's Java sources (main and test, every module) ignores an exception
 * silently: a catch whose body holds no statement, only comments or nothing, fails this test. One
 * that ignores an exception on purpose logs why it is safe to.
 */
class NoSilentCatchTest {
  private static final Pattern CATCH = Pattern.compile("catch\\s*\\(([^)]*)\\)\\s*\\{");
  private static final Pattern COMMENTS = Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);

  @Test
  void everyCatchInTheProjectsSourcesDoesSomethingWithWhatItCaught() throws IOException {
    Path root = Path.of("../..").toAbsolutePath().normalize();
    assertThat(root.resolve("pom.xml")).exists();
    List<String> silent = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file :
          files
              .filter(path -> path.toString().endsWith(".java"))
              .filter(path -> path.toString().contains("/src/"))
              .filter(path -> !path.toString().contains("/target/"))
              .toList()) {
        silent.addAll(silentCatches(root.relativize(file), Files.readString(file)));
      }
    }
    assertThat(silent).as("catch blocks that ignore an exception without a word").isEmpty();
  }

  @Test
  void aCatchWithOnlyACommentIsSilentAndOneThatLogsIsNot() {
    String source =
        "class A {\n"
            + "  void a() {\n"
            + "    try { x(); } catch (IllegalStateException exiting) {\n"
            + "      // the JVM is exiting\n"
            + "    }\n"
            + "    try { x(); } catch (RuntimeException e) { LOG.debug(\"safe: {}\", e); }\n"
            + "    try { x(); } catch (Exception e) {" // split so that this test does not find
            // itself
            + "}\n"
            + "  }\n"
            + "}\n";
    assertThat(silentCatches(Path.of("A.java"), source))
        .containsExactly(
            "A.java:3: catch (IllegalStateException exiting)", "A.java:7: catch (Exception e)");
  }

  static List<String> silentCatches(Path file, String source) {
    List<String> silent = new ArrayList<>();
    Matcher catchBlock = CATCH.matcher(source);
    while (catchBlock.find()) {
      int end = catchBlock.end();
      for (int depth = 1; depth > 0 && end < source.length(); end++) {
        char c = source.charAt(end);
        depth += c == '{' ? 1 : c == '}' ? -1 : 0;
      }
      String body = source.substring(catchBlock.end(), end - 1);
      if (COMMENTS.matcher(body).replaceAll("").isBlank()) {
        int line =
            (int) source.substring(0, catchBlock.start()).chars().filter(c -> c == '\n').count();
        silent.add(file + ":" + (line + 1) + ": catch (" + catchBlock.group(1).strip() + ")");
      }
    }
    return silent;
  }
}
