package org.keystonesandbox.oracle;

import java.util.List;

/**
 * A session as DESIGN.md defines it: a maximal run of one user's unique events whose consecutive
 * event times differ by at most the gap.
 *
 * @param titles distinct titles, sorted
 */
public record ReferenceSession(
    String userId, long start, long end, int events, long watchMs, List<String> titles) {}
