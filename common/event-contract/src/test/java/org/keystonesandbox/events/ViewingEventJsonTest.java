package org.keystonesandbox.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class ViewingEventJsonTest {

  static final ViewingEvent EVENT =
      new ViewingEvent(
          "8f0c6a52-0d4e-4b8e-9d65-0c0b7d0e9a11",
          "u0000042",
          "p9a3f00c1d2e3f4a5",
          "t00007",
          "tv",
          "BR",
          EventType.HEARTBEAT,
          3_600_000,
          60_123,
          1_767_225_600_000L,
          1_767_225_612_345L);

  static final java.util.List<String> REQUIRED_FIELDS = ViewingEventJson.REQUIRED_FIELDS;

  private final ViewingEventJson.Encoder encoder = ViewingEventJson.newEncoder();

  @Test
  void encodedEventParsesBackToTheSameEvent() {
    assertThat(ViewingEventJson.parse(encoder.encode(EVENT)))
        .isEqualTo(new ParseResult.Valid(EVENT));
  }

  @Test
  void stringsThatNeedEscapingOrAreNotAsciiRoundTrip() {
    ViewingEvent awkward =
        new ViewingEvent(
            "id \"quoted\" \\ back\\slash",
            "tab\there\nnewline\u0001ctl",
            "caf\u00e9 \u65e5\u672c \ud83c\udfac",
            "t".repeat(300),
            "tv",
            "BR",
            EventType.SEEK,
            0,
            0,
            EVENT.eventTs(),
            EVENT.sentTs());
    assertThat(ViewingEventJson.parse(encoder.encode(awkward)))
        .isEqualTo(new ParseResult.Valid(awkward));
  }

  @Test
  void encoderReusesItsBuffersWithoutLeakingBytesBetweenEvents() {
    ViewingEvent other = EVENT.withSentTs(EVENT.sentTs() + 1);
    byte[] first = encoder.encode(EVENT);
    byte[] second = encoder.encode(other);
    assertThat(ViewingEventJson.parse(second)).isEqualTo(new ParseResult.Valid(other));
    assertThat(ViewingEventJson.parse(first)).isEqualTo(new ParseResult.Valid(EVENT));
  }

  @Test
  void wireFormUsesSnakeCaseNamesAndEpochMillis() {
    String json = new String(encoder.encode(EVENT), StandardCharsets.UTF_8);
    assertThat(json)
        .startsWith("{\"schema_version\":1,\"event_id\":\"8f0c6a52")
        .contains("\"event_type\":\"heartbeat\"", "\"event_ts\":1767225600000");
  }

  @ParameterizedTest
  @FieldSource("REQUIRED_FIELDS")
  void eachMissingFieldIsRejectedByName(String field) {
    byte[] json = encoder.encodeAltered(EVENT, field, EVENT.eventTs());
    assertThat(ViewingEventJson.parse(json))
        .isEqualTo(new ParseResult.Rejected(RejectReason.MISSING_FIELD, field));
  }

  @Test
  void everyProperPrefixOfAnEventIsBadJson() {
    byte[] json = encoder.encode(EVENT);
    for (int length = 0; length < json.length; length++) {
      byte[] prefix = java.util.Arrays.copyOf(json, length);
      assertThat(ViewingEventJson.parse(prefix))
          .as("prefix of %d bytes", length)
          .isInstanceOfSatisfying(
              ParseResult.Rejected.class,
              r -> assertThat(r.reason()).isEqualTo(RejectReason.BAD_JSON));
    }
  }

  @Test
  void eventTimeBeyondTheClockSkewAfterSendingIsAFutureTimestamp() {
    long skew = ViewingEventJson.MAX_CLOCK_SKEW.toMillis();
    byte[] justInside = encoder.encodeAltered(EVENT, null, EVENT.sentTs() + skew);
    byte[] justOutside = encoder.encodeAltered(EVENT, null, EVENT.sentTs() + skew + 1);
    assertThat(ViewingEventJson.parse(justInside)).isInstanceOf(ParseResult.Valid.class);
    assertThat(reason(justOutside)).isEqualTo(RejectReason.FUTURE_TIMESTAMP);
  }

  @Test
  void aClientClockAheadInBothItsTimesIsJudgedByTheKafkaTimestamp() {
    long skew = ViewingEventJson.MAX_CLOCK_SKEW.toMillis();
    long yearAhead = 365L * 24 * 3_600_000;
    ViewingEvent wrongClock =
        EVENT.withSentTs(EVENT.sentTs() + yearAhead); // sent a year ahead of the broker's clock
    byte[] json = encoder.encodeAltered(wrongClock, null, EVENT.eventTs() + yearAhead);
    assertThat(ViewingEventJson.parse(json))
        .as("its own two times agree with each other")
        .isInstanceOf(ParseResult.Valid.class);
    assertThat(ViewingEventJson.parse(json, EVENT.sentTs()))
        .isEqualTo(
            new ParseResult.Rejected(
                RejectReason.FUTURE_TIMESTAMP,
                "sent_ts 2027-01-01T00:00:12.345Z after the record's Kafka timestamp"
                    + " 2026-01-01T00:00:12.345Z"));
    byte[] inTime = encoder.encode(EVENT);
    assertThat(ViewingEventJson.parse(inTime, EVENT.sentTs() - skew))
        .as("an hour of skew is allowed")
        .isInstanceOf(ParseResult.Valid.class);
    assertThat(ViewingEventJson.parse(inTime, EVENT.sentTs() - skew - 1))
        .isInstanceOf(ParseResult.Rejected.class);
    assertThat(ViewingEventJson.parse(inTime, ViewingEventJson.NO_RECORD_TIMESTAMP))
        .isInstanceOf(ParseResult.Valid.class);
  }

  @Test
  void wrongTypesUnknownValuesAndVersionsAreRejectedWithTheirReason() {
    assertThat(reason(json("\"play_ms\":60123", "\"play_ms\":\"60123\"")))
        .isEqualTo(RejectReason.BAD_VALUE);
    assertThat(reason(json("\"heartbeat\"", "\"rewind\""))).isEqualTo(RejectReason.BAD_VALUE);
    assertThat(reason(json("\"play_ms\":60123", "\"play_ms\":-1")))
        .isEqualTo(RejectReason.BAD_VALUE);
    assertThat(reason(json("\"schema_version\":1", "\"schema_version\":3")))
        .isEqualTo(RejectReason.UNSUPPORTED_VERSION);
    assertThat(reason(json("\"schema_version\":1", "\"schema_version\":0")))
        .isEqualTo(RejectReason.UNSUPPORTED_VERSION);
    assertThat(reason("[1,2]".getBytes(StandardCharsets.UTF_8))).isEqualTo(RejectReason.BAD_JSON);
    assertThat(reason(new byte[] {(byte) 0xff, 0x00})).isEqualTo(RejectReason.BAD_JSON);
    assertThat(reason(null)).isEqualTo(RejectReason.BAD_JSON);
  }

  @Test
  void unknownFieldsAreIgnoredForForwardCompatibility() {
    byte[] json = json("{", "{\"experiment\":{\"arm\":[1,2]},");
    assertThat(ViewingEventJson.parse(json)).isEqualTo(new ParseResult.Valid(EVENT));
  }

  @Test
  void aVersionTwoEventCarriesItsBitrateAndParsesBack() {
    ViewingEvent v2 = EVENT.withBitrateKbps(5800);
    String json = new String(encoder.encode(v2), StandardCharsets.UTF_8);
    assertThat(json).startsWith("{\"schema_version\":2,").endsWith(",\"bitrate_kbps\":5800}");
    assertThat(ViewingEventJson.parse(encoder.encode(v2))).isEqualTo(new ParseResult.Valid(v2));
  }

  @Test
  void anEventWithoutBitrateIsWrittenAsVersionOneSoOldConsumersReadIt() {
    assertThat(new String(encoder.encode(EVENT), StandardCharsets.UTF_8))
        .startsWith("{\"schema_version\":1,")
        .doesNotContain(ViewingEventJson.BITRATE_KBPS);
  }

  @Test
  void theBitrateIsOptionalInVersionTwo() {
    byte[] json = json("\"schema_version\":1", "\"schema_version\":2");
    assertThat(ViewingEventJson.parse(json)).isEqualTo(new ParseResult.Valid(EVENT));
  }

  @Test
  void versionOneDoesNotDefineTheBitrateSoItIsIgnoredWhateverItsType() {
    assertThat(ViewingEventJson.parse(json("{", "{\"bitrate_kbps\":4300,")))
        .isEqualTo(new ParseResult.Valid(EVENT));
    assertThat(ViewingEventJson.parse(json("{", "{\"bitrate_kbps\":\"4300kbps\",")))
        .isEqualTo(new ParseResult.Valid(EVENT));
  }

  @Test
  void aBitrateOfTheWrongTypeOrOutOfRangeIsABadValueNamingTheField() {
    String v2 = new String(encoder.encode(EVENT.withBitrateKbps(4300)), StandardCharsets.UTF_8);
    assertThat(ViewingEventJson.parse(bytes(v2.replace("4300", "\"4300kbps\""))))
        .isEqualTo(
            new ParseResult.Rejected(
                RejectReason.BAD_VALUE, "bitrate_kbps is not a 64-bit integer"));
    assertThat(ViewingEventJson.parse(bytes(v2.replace("4300", "4300.5"))))
        .isEqualTo(
            new ParseResult.Rejected(
                RejectReason.BAD_VALUE, "bitrate_kbps is not a 64-bit integer"));
    assertThat(ViewingEventJson.parse(bytes(v2.replace("4300", "0"))))
        .isEqualTo(
            new ParseResult.Rejected(RejectReason.BAD_VALUE, "bitrate_kbps=0 outside 1..1000000"));
    assertThat(ViewingEventJson.parse(bytes(v2.replace(":4300", ":null"))))
        .isEqualTo(new ParseResult.Valid(EVENT));
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] json(String target, String replacement) {
    String json = new String(encoder.encode(EVENT), StandardCharsets.UTF_8);
    assertThat(json).contains(target);
    return json.replaceFirst(java.util.regex.Pattern.quote(target), replacement)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static RejectReason reason(byte[] payload) {
    ParseResult result = ViewingEventJson.parse(payload);
    assertThat(result).isInstanceOf(ParseResult.Rejected.class);
    return ((ParseResult.Rejected) result).reason();
  }
}
