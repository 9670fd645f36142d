package org.keystonesandbox.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keystonesandbox.events.names.PipelineNames;

/**
 * Runs {@code target/keystone-rest-catalog.jar} as a child process, as the compose stack does, and
 * talks to it with Iceberg's own REST client.
 */
class RestCatalogServerIT {

  private static final Path JAR = Path.of("target", "keystone-rest-catalog.jar");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern READY =
      Pattern.compile("rest-catalog: ready at (http://\\S+) \\(warehouse (.+)\\)");

  /** A table property the test commits and reads back; any name does. */
  private static final String NOTE = "rest-catalog-it.note";

  private static final Namespace NAMESPACE = Namespace.of(PipelineNames.LAKE_NAMESPACE);
  private static final TableIdentifier TABLE = TableIdentifier.of(NAMESPACE, "events");
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "event_id", Types.StringType.get()),
          Types.NestedField.required(2, "user_id", Types.StringType.get()),
          Types.NestedField.required(3, "event_ts", Types.TimestampType.withZone()),
          Types.NestedField.optional(4, "play_ms", Types.LongType.get()));
  private static final PartitionSpec BY_DAY =
      PartitionSpec.builderFor(SCHEMA).day("event_ts").build();

  @TempDir static Path tmp;

  private static ServerProcess server;

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void servesTheCatalogAndKeepsItAcrossARestart() throws Exception {
    Path warehouse = tmp.resolve("lake");
    server = ServerProcess.start(warehouse);
    assertThat(server.warehouse).isEqualTo(warehouse.toAbsolutePath().toString());
    assertThat(Files.isRegularFile(warehouse.resolve("catalog.db"))).isTrue();
    assertThat(httpGet(server.url + "/v1/config")).isEqualTo(200);

    String metadataFile;
    try (RESTCatalog catalog = client(server.url)) {
      // A HashMap: Iceberg's request builder asks Map.of's map for a null key, which throws.
      catalog.createNamespace(NAMESPACE, new HashMap<>(Map.of("owner", "rest-catalog-it")));
      assertThat(catalog.listNamespaces()).containsExactly(NAMESPACE);

      Table created = catalog.buildTable(TABLE, SCHEMA).withPartitionSpec(BY_DAY).create();
      assertThat(created.location())
          .isEqualTo(
              warehouse
                  .toAbsolutePath()
                  .resolve(PipelineNames.LAKE_NAMESPACE + "/events")
                  .toString());
      assertDayPartitioned(created);
      // A commit the server writes itself: new table metadata in the warehouse.
      created.updateProperties().set(NOTE, "test").commit();

      // The server writes metadata where a table points: never outside its warehouse.
      Path elsewhere = tmp.resolve("elsewhere");
      assertThatThrownBy(
              () ->
                  catalog
                      .buildTable(TableIdentifier.of(NAMESPACE, "outside"), SCHEMA)
                      .withLocation(elsewhere.toString())
                      .create())
          .isInstanceOf(ForbiddenException.class)
          .hasMessageContaining("outside the catalog's warehouse");
      assertThatThrownBy(
              () ->
                  created
                      .updateProperties()
                      .set("write.metadata.path", elsewhere.toString())
                      .commit())
          .isInstanceOf(ForbiddenException.class);
      assertThat(elsewhere).doesNotExist();
      assertThat(catalog.tableExists(TableIdentifier.of(NAMESPACE, "outside"))).isFalse();

      Table reloaded = catalog.loadTable(TABLE);
      assertThat(reloaded.schema().sameSchema(SCHEMA)).isTrue();
      assertDayPartitioned(reloaded);
      assertThat(reloaded.properties()).containsEntry(NOTE, "test");
      assertThat(reloaded.currentSnapshot()).isNull();
      metadataFile = ((HasTableOperations) reloaded).operations().current().metadataFileLocation();
      assertThat(Path.of(metadataFile)).startsWith(warehouse.toAbsolutePath()).isRegularFile();
      assertThat(catalog.listTables(NAMESPACE)).containsExactly(TABLE);
    }

    server.stop();
    server = ServerProcess.start(warehouse);

    try (RESTCatalog catalog = client(server.url)) {
      assertThat(catalog.loadNamespaceMetadata(NAMESPACE))
          .containsEntry("owner", "rest-catalog-it");
      assertThat(catalog.listTables(NAMESPACE)).containsExactly(TABLE);
      Table afterRestart = catalog.loadTable(TABLE);
      assertDayPartitioned(afterRestart);
      assertThat(((HasTableOperations) afterRestart).operations().current().metadataFileLocation())
          .isEqualTo(metadataFile);

      assertThat(catalog.dropTable(TABLE, true)).isTrue();
      assertThat(catalog.tableExists(TABLE)).isFalse();
      assertThat(catalog.listTables(NAMESPACE)).isEmpty();
      assertThat(Path.of(metadataFile)).doesNotExist();
      assertThat(catalog.dropNamespace(NAMESPACE)).isTrue();
      assertThat(catalog.namespaceExists(NAMESPACE)).isFalse();
    }
  }

  @Test
  void anUnusableWarehouseIsAOneLineErrorAndExitCode2() throws Exception {
    Path notAFolder = Files.writeString(tmp.resolve("not-a-folder"), "x");
    Process process = ServerProcess.builder(notAFolder).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isEqualTo(2);
    assertThat(output.lines().toList())
        .as(output)
        .singleElement()
        .asString()
        .startsWith("rest-catalog: warehouse " + notAFolder.toAbsolutePath())
        .contains("is not a writable folder");
  }

  private static void assertDayPartitioned(Table table) {
    List<PartitionField> fields = table.spec().fields();
    assertThat(fields).hasSize(1);
    assertThat(fields.get(0).transform().toString()).isEqualTo("day");
    assertThat(table.schema().findColumnName(fields.get(0).sourceId())).isEqualTo("event_ts");
  }

  private static RESTCatalog client(String url) {
    RESTCatalog catalog = new RESTCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize("it", new HashMap<>(Map.of("uri", url)));
    return catalog;
  }

  private static int httpGet(String url) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** The server as a child process, with its output collected for failure messages. */
  private static final class ServerProcess {
    final Process process;
    final StringBuffer output;
    final String url;
    final String warehouse;

    private ServerProcess(Process process, StringBuffer output, String url, String warehouse) {
      this.process = process;
      this.output = output;
      this.url = url;
      this.warehouse = warehouse;
    }

    static ProcessBuilder builder(Path warehouse) {
      assertThat(JAR).as("run mvn package first").isRegularFile();
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder builder =
          new ProcessBuilder(java, "-Xmx256m", "-jar", JAR.toAbsolutePath().toString())
              .redirectErrorStream(true);
      Map<String, String> env = builder.environment();
      env.keySet().removeIf(name -> name.startsWith(RestCatalogMain.ENV_PREFIX));
      // The output is compared line for line: no launcher note about the build's JVM options.
      env.remove("JDK_JAVA_OPTIONS");
      env.put("CATALOG_WAREHOUSE", warehouse.toString());
      env.put("CATALOG_REST_HOST", "127.0.0.1");
      env.put("CATALOG_REST_PORT", "0"); // a free port, named by the ready line
      return builder;
    }

    static ServerProcess start(Path warehouse) throws IOException, InterruptedException {
      Process process = builder(warehouse).start();
      StringBuffer output = new StringBuffer();
      CompletableFuture<Matcher> ready = new CompletableFuture<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader lines =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.append(line).append('\n');
                    Matcher matcher = READY.matcher(line);
                    if (matcher.matches()) {
                      ready.complete(matcher);
                    }
                  }
                } catch (IOException e) {
                  output.append("(reading the output failed: ").append(e).append(")\n");
                }
                ready.completeExceptionally(new IllegalStateException("the output ended"));
              },
              "rest-catalog-output");
      reader.setDaemon(true);
      reader.start();
      try {
        Matcher matcher = ready.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return new ServerProcess(process, output, matcher.group(1), matcher.group(2));
      } catch (TimeoutException | ExecutionException e) {
        stop(process);
        String state =
            e instanceof TimeoutException
                ? "did not print its ready line within " + START_TIMEOUT.toSeconds() + " s"
                : "exited with status " + process.exitValue() + " before it was ready";
        return fail("rest-catalog " + state + "; its output:\n" + output);
      }
    }

    void stop() {
      stop(process);
    }

    private static void stop(Process process) {
      process.destroy();
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
