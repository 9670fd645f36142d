package org.keystonesandbox.cli;

import picocli.CommandLine.Option;

/** {@code -b/--bootstrap-server}, the Kafka brokers, as every Kafka command takes it (a mixin). */
public final class BootstrapServerOption {
  @Option(
      names = {"-b", "--bootstrap-server"},
      defaultValue = Defaults.BOOTSTRAP_SERVER,
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE})")
  private String bootstrapServers;

  public String bootstrapServers() {
    return bootstrapServers;
  }
}
