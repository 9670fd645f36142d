package org.keystonesandbox.labs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.keystonesandbox.cli.Jars;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The project's Iceberg REST catalog server ({@code keystone-rest-catalog.jar}) as a child process
 * on loopback and a free port, over a warehouse folder, for as long as a lab needs it.
 */
final class RestCatalogProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RestCatalogProcess.class);

  private static final Pattern READY = Pattern.compile("rest-catalog: ready at (http://\\S+)");

  private final Process process;
  private final String uri;
  private final Thread stopOnExit;

  private RestCatalogProcess(Process process, String uri) {
    this.process = process;
    this.uri = uri;
    // A lab's JVM ended by a signal stops its catalog too, instead of leaving it on its port.
    this.stopOnExit = new Thread(process::destroy, "rest-catalog-stop");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
  }

  static RestCatalogProcess start(Path jar, Path warehouse)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(Jars.javaCommand(jar, List.of("-Xmx192m"), List.of()))
            .redirectErrorStream(true);
    builder.environment().put("CATALOG_WAREHOUSE", warehouse.toString());
    builder.environment().put("CATALOG_REST_HOST", "127.0.0.1");
    builder.environment().put("CATALOG_REST_PORT", "0");
    Process process = builder.start();
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              // Reads the server's output to its end, so that the pipe never fills up.
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                  Matcher m = READY.matcher(line);
                  if (m.find()) {
                    ready.complete(m.group(1));
                  } else if (!ready.isDone()) {
                    output.add(line);
                  }
                }
                ready.complete(null);
              } catch (IOException e) {
                ready.completeExceptionally(e);
              }
            },
            "rest-catalog-output");
    reader.setDaemon(true);
    reader.start();
    try {
      String uri = ready.get(60, TimeUnit.SECONDS);
      if (uri == null) {
        throw new IllegalStateException("the REST catalog ended before it was ready: " + output);
      }
      return new RestCatalogProcess(process, uri);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IllegalStateException("the REST catalog did not start within 60 s: " + output, e);
    } catch (InterruptedException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** The catalog's base URI, e.g. {@code http://127.0.0.1:41234}. */
  String uri() {
    return uri;
  }

  @Override
  public void close() throws InterruptedException {
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException exiting) {
      LOG.debug("the JVM is already exiting: the shutdown hook stops the process", exiting);
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
