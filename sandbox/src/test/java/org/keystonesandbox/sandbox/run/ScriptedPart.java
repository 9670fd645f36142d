package org.keystonesandbox.sandbox.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A part that does what its arguments say, packed as a runnable jar by {@link #jar}: {@code
 * --print-env NAME} prints {@code NAME=<value>}, {@code --exit CODE} then exits with {@code CODE};
 * without {@code --exit} it never ends by itself.
 */
public final class ScriptedPart {
  private ScriptedPart() {}

  public static void main(String[] args) throws InterruptedException {
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--print-env" -> System.out.println(args[i + 1] + "=" + System.getenv(args[i + 1]));
        case "--exit" -> {
          System.out.println("scripted-part: exiting with " + args[i + 1]);
          System.exit(Integer.parseInt(args[i + 1]));
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Thread.sleep(Long.MAX_VALUE);
  }

  /** Writes a runnable jar of this class to {@code jar}. */
  static void jar(Path jar) throws IOException {
    Files.createDirectories(jar.toAbsolutePath().getParent());
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, ScriptedPart.class.getName());
    String entry = ScriptedPart.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest);
        InputStream classFile = ScriptedPart.class.getResourceAsStream("/" + entry)) {
      out.putNextEntry(new JarEntry(entry));
      classFile.transferTo(out);
      out.closeEntry();
    }
  }
}
