package org.keystonesandbox.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** How the compose files publish ports, read from the files themselves: no Docker needed. */
class ComposePortsTest {
  private static final String LOOPBACK = "127.0.0.1";

  /** The compose file at {@code name} in the module's folder, anchors and merge keys resolved. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> compose(String name) throws IOException {
    try (Reader in = Files.newBufferedReader(Path.of(name), StandardCharsets.UTF_8)) {
      return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
    }
  }

  /** Every published port of every service, as {@code service: entry}, the host address kept. */
  @SuppressWarnings("unchecked")
  static List<String> publishedPorts(Map<String, Object> compose) {
    List<String> published = new ArrayList<>();
    var services = (Map<String, Map<String, Object>>) compose.get("services");
    services.forEach(
        (service, definition) -> {
          Object ports = definition == null ? null : definition.get("ports");
          if (ports == null) {
            return;
          }
          for (Object port : (List<Object>) ports) {
            published.add(
                service
                    + ": "
                    + (port instanceof Map<?, ?> long_
                        ? long_.get("host_ip")
                            + ":"
                            + long_.get("published")
                            + ":"
                            + long_.get("target")
                        : port));
          }
        });
    return published;
  }

  @ParameterizedTest
  @ValueSource(strings = {"compose.yaml", "compose.cluster.yaml"})
  void everyPublishedPortIsBoundToThisMachinesLoopbackOnly(String file) throws IOException {
    List<String> published = publishedPorts(compose(file));

    assertThat(published).as("ports %s publishes", file).isNotEmpty();
    assertThat(published)
        .as("ports %s publishes beyond %s", file, LOOPBACK)
        .allSatisfy(
            entry -> assertThat(entry).matches("[\\w-]+: " + LOOPBACK.replace(".", "\\.") + ":.+"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "services: {web: {ports: [\"8080:8080\"]}}",
        "services: {web: {ports: [\"0.0.0.0:8080:8080\"]}}",
        "services: {web: {ports: [{target: 8080, published: 8080}]}}",
        "x: &open {ports: [\"8080\"]}\nservices: {web: {<<: *open}}"
      })
  @SuppressWarnings("unchecked")
  void aPortPublishedOnEveryInterfaceIsCaught(String yaml) {
    List<String> published =
        publishedPorts(
            (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml));

    assertThat(published).hasSize(1);
    assertThat(published.get(0)).doesNotMatch("[\\w-]+: 127\\.0\\.0\\.1:.+");
  }
}
