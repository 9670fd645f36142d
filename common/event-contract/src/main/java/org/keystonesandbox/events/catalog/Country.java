package org.keystonesandbox.events.catalog;

/** A country viewers watch from: ISO 3166 alpha-2 code, name and region. */
public record Country(String code, String name, String region) {}
