package org.keystonesandbox.stream;

import java.util.Optional;
import org.keystonesandbox.stream.topology.SessionSettings;
import org.keystonesandbox.stream.topology.WatermarkSettings;

/**
 * Every setting of the stream job; {@link StreamJobCommand} builds it from flags or a properties
 * file, one option group per component.
 *
 * @param lake where the sessions also land in the lake, if they do
 */
public record StreamJobSettings(
    KafkaSettings kafka,
    WatermarkSettings watermarks,
    SessionSettings sessions,
    RuntimeSettings runtime,
    Optional<LakeSinkSettings> lake) {}
