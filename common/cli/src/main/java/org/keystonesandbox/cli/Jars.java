package org.keystonesandbox.cli;

import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the pipeline's runnable jars are: next to each other in one folder (the Docker image's
 * {@code /opt/keystone}), or in each module's {@code target} folder of a built checkout.
 */
public final class Jars {
  public static final String KAFKA = "embedded-kafka.jar";
  public static final String GENERATOR = "keystone-ingest.jar";
  public static final String STREAM_JOB = "keystone-stream-job.jar";
  public static final String BATCH_JOB = "keystone-batch-job.jar";
  public static final String VERIFY = "keystone-verify.jar";
  public static final String LABS = "keystone-labs.jar";
  public static final String REST_CATALOG = "keystone-rest-catalog.jar";

  private static final List<String> MODULES =
      List.of(
          "common/embedded-kafka",
          "ingest",
          "stream-job",
          "batch-job",
          "verify",
          "labs",
          "docker/rest-catalog");

  private final Path home;

  public Jars(Path home) {
    this.home = home;
  }

  /**
   * The checkout or folder the jar holding {@code command} was started from: {@code
   * <home>/<module>/target/x.jar} (or {@code target/classes}) in a checkout, {@code
   * /opt/keystone/x.jar} in the image. {@code command} is a class of a top-level module's own jar
   * (the sandbox's, the labs'), not of a library in its {@code lib} folder.
   */
  public static Path homeOf(Class<?> command) {
    try {
      Path self =
          Path.of(command.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toAbsolutePath();
      Path folder = Files.isDirectory(self) ? self : self.getParent();
      if (folder.getFileName().toString().equals("classes")) {
        folder = folder.getParent();
      }
      if (folder.getFileName().toString().equals("target")) {
        return folder.getParent().getParent();
      }
      return folder;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code java <jvmOptions> -jar <jar> <args>} on the Java this JVM runs on. */
  public static List<String> javaCommand(Path jar, List<String> jvmOptions, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    return command;
  }

  /** The jar, or a clear error that says how to build it. */
  public Path find(String jar) {
    Path flat = home.resolve(jar);
    if (Files.isRegularFile(flat)) {
      return flat;
    }
    for (String module : MODULES) {
      Path built = home.resolve(module).resolve("target").resolve(jar);
      if (Files.isRegularFile(built)) {
        return built;
      }
    }
    throw new UncheckedIOException(
        new FileNotFoundException(
            "cannot find "
                + jar
                + " under "
                + home
                + ": build the project first (mvn -B install -DskipTests) or pass --home"));
  }
}
