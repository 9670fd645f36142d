package org.keystonesandbox.sandbox.run;

import java.util.List;

/**
 * How to start one part: {@code java <jvmOptions> -jar <jar> <args>}.
 *
 * @param name the part's name, also its log file's
 * @param jar the runnable jar's file name (see {@link org.keystonesandbox.cli.Jars})
 */
record PartCommand(String name, String jar, List<String> jvmOptions, List<String> args) {
  PartCommand {
    jvmOptions = List.copyOf(jvmOptions);
    args = List.copyOf(args);
  }
}
