package org.keystonesandbox.sandbox.run;

import java.util.List;
import java.util.Map;

/**
 * How to start one part: {@code <environment> java <jvmOptions> -jar <jar> <args>}.
 *
 * @param name the part's name, also its log file's
 * @param jar the runnable jar's file name (see {@link org.keystonesandbox.cli.Jars})
 * @param environment variables set for the part on top of the sandbox's own
 */
record PartCommand(
    String name,
    String jar,
    List<String> jvmOptions,
    List<String> args,
    Map<String, String> environment) {
  PartCommand {
    jvmOptions = List.copyOf(jvmOptions);
    args = List.copyOf(args);
    environment = Map.copyOf(environment);
  }

  PartCommand(String name, String jar, List<String> jvmOptions, List<String> args) {
    this(name, jar, jvmOptions, args, Map.of());
  }
}
