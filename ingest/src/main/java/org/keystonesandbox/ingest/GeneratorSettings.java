package org.keystonesandbox.ingest;

import org.keystonesandbox.ingest.delivery.DeliverySettings;
import org.keystonesandbox.ingest.simulation.WorldSettings;

/** Everything a generator run needs; {@link GeneratorCommand} builds it from the command line. */
public record GeneratorSettings(
    WorldSettings world,
    DeliverySettings delivery,
    KafkaSettings kafka,
    RunLimits limits,
    OutputSettings output) {}
