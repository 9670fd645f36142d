package org.keystonesandbox.events.catalog;

/**
 * One title of the catalog: the dimension the gold tables join with.
 *
 * @param runtimeMs the full length; a playback whose position reaches 95% of it is a completion
 */
public record Title(
    String titleId, String name, String genre, String kind, long runtimeMs, int releaseYear) {}
