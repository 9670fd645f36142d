package org.keystonesandbox.stream;

import java.net.URI;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * A Flink file system of scheme {@value #SCHEME}, not {@code file:}, that keeps its files on the
 * local disk: what a remote checkpoint folder (S3, HDFS) looks like to the code that searches one.
 * Registered for the tests in {@code META-INF/services}.
 */
public final class ElsewhereFileSystem extends LocalFileSystem {
  public static final String SCHEME = "elsewhere";

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  /** Its factory, found by Flink through the service file. */
  public static final class Factory implements FileSystemFactory {
    @Override
    public String getScheme() {
      return SCHEME;
    }

    @Override
    public FileSystem create(URI fsUri) {
      return new ElsewhereFileSystem();
    }
  }
}
