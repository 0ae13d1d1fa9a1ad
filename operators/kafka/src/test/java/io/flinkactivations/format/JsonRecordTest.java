package io.flinkactivations.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkactivations.stream.BadRecordReason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonRecordTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String rewrite(String in, float[] out, String extra) throws BadRecordException {
        byte[] bytes = utf8(in);
        JsonRecord.Layout layout = JsonRecord.parse(bytes, 0, bytes.length);
        return new String(
                JsonRecord.write(bytes, layout, out, 0, out.length, utf8(extra)),
                StandardCharsets.UTF_8);
    }

    @Test
    void replacesTheFeaturesInPlaceAndKeepsEverythingElse() throws Exception {
        assertThat(
                        rewrite(
                                "{\"id\": \"é\", \"features\": [1, 2], \"x\": {\"features\": 3}}",
                                new float[] {0.5f, 1e-5f},
                                "\"activation\":\"relu\""))
                .isEqualTo(
                        "{\"id\": \"é\", \"features\": [0.5,1.0E-5], \"x\": {\"features\": 3},\"activation\":\"relu\"}");
        assertThat(
                        rewrite(
                                " [1, 2] ",
                                new float[] {Float.NaN, Float.NEGATIVE_INFINITY},
                                "\"ignored\":1"))
                .isEqualTo(" [\"NaN\",\"-Infinity\"] ");
    }

    @Test
    void readsFieldsAfterTheFeaturesWhicheverReaderTookTheArray() throws Exception {
        // JsonFloats reads a plain array and Jackson the fields after it, from a copy; an escaped
        // string in the array sends the whole array to Jackson: both give the same record
        for (String array : new String[] {"[1, NaN ,2]", "[1,\"N\\u0061N\",2]"}) {
            String in = "{\"id\":\"a\", \"features\":" + array + " , \"ts\": 7, \"x\": [\"]\"] }  ";
            byte[] b = utf8(in);
            JsonRecord.Layout l = JsonRecord.parse(b, 0, b.length);
            assertThat(l.features()).as(in).containsExactly(1f, Float.NaN, 2f);
            assertThat(l.timestamp()).isEqualTo(7);
            assertThat(l.featuresStart()).isEqualTo(in.indexOf('['));
            assertThat(l.featuresEnd()).isEqualTo(in.indexOf(array) + array.length());
            assertThat(l.objectEnd()).isEqualTo(in.lastIndexOf('}'));
            assertThat(rewrite(in, new float[] {3, 4}, "\"y\":1"))
                    .isEqualTo(
                            "{\"id\":\"a\", \"features\":[3.0,4.0] , \"ts\": 7, \"x\": [\"]\"] ,\"y\":1}  ");
        }
        assertThat(rewrite("{\"features\":[1] }", new float[] {2}, "\"y\":1"))
                .isEqualTo("{\"features\":[2.0] ,\"y\":1}");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            {"features": [1]} 2            | 18
            {"features": [1], "a": 2}  [   | 27
            [1, 2]  3                      | 8
            """)
    void contentAfterTheRecordIsReportedWhereItIs(String json, int at) {
        byte[] b = utf8(json);
        assertThatThrownBy(() -> JsonRecord.parse(b, 0, b.length))
                .isInstanceOfSatisfying(
                        BadRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(BadRecordReason.MALFORMED_JSON))
                .hasMessageContaining("at byte " + at);
    }

    @Test
    void readsTimestampsAndNonFiniteNumbers() throws Exception {
        byte[] b =
                utf8(
                        "{\"ts\": 1700000000123, \"features\": [NaN, \"Infinity\", -Infinity, \"-Infinity\", 1e39]}");
        JsonRecord.Layout l = JsonRecord.parse(b, 0, b.length);
        assertThat(l.hasTimestamp()).isTrue();
        assertThat(l.timestamp()).isEqualTo(1700000000123L);
        assertThat(l.features())
                .containsExactly(
                        Float.NaN,
                        Float.POSITIVE_INFINITY,
                        Float.NEGATIVE_INFINITY,
                        Float.NEGATIVE_INFINITY,
                        Float.POSITIVE_INFINITY);
        assertThat(JsonRecord.parse(utf8("[1]"), 0, 3).hasTimestamp()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            {"features": [1,                     | MALFORMED_JSON
            not json                             | MALFORMED_JSON
            [1] [2]                              | MALFORMED_JSON
            ''                                   | MALFORMED_JSON
            {"id": 1}                            | MISSING_FEATURES
            {"features": {"a": 1}}               | WRONG_TYPE
            {"features": [1, null]}              | WRONG_TYPE
            {"features": [[1]]}                  | WRONG_TYPE
            {"features": [1], "ts": "yesterday"} | WRONG_TYPE
            {"features": [1], "ts": 1.5}         | WRONG_TYPE
            "just a string"                      | WRONG_TYPE
            42                                   | WRONG_TYPE
            []                                   | EMPTY_VECTOR
            {"features": []}                     | EMPTY_VECTOR
            {"features": [1], "features": [2]}   | MALFORMED_JSON
            {"features": [1], "a": }             | MALFORMED_JSON
            {"features": [1],}                   | MALFORMED_JSON
            {"features": [1]                     | MALFORMED_JSON
            {"features": [1, 2, }                | MALFORMED_JSON
            {"features": [01]}                   | MALFORMED_JSON
            {"features": [1, "x"]}               | WRONG_TYPE
            {"features": [1], "ts": [1]}         | WRONG_TYPE
            """)
    void badRecordsHaveAReason(String json, BadRecordReason reason) {
        byte[] b = utf8(json);
        assertThatThrownBy(() -> JsonRecord.parse(b, 0, b.length))
                .isInstanceOfSatisfying(
                        BadRecordException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void invalidUtf8IsItsOwnReason() {
        byte[] b = {
            '{',
            '"',
            'i',
            '"',
            ':',
            '"',
            (byte) 0xC3,
            '"',
            ',',
            '"',
            'f',
            'e',
            'a',
            't',
            'u',
            'r',
            'e',
            's',
            '"',
            ':',
            '[',
            '1',
            ']',
            '}'
        };
        assertThatThrownBy(() -> JsonRecord.parse(b, 0, b.length))
                .isInstanceOfSatisfying(
                        BadRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(BadRecordReason.INVALID_UTF8));
    }

    @Test
    void f32leRoundTripsBitForBitAndRefusesTruncatedValues() throws Exception {
        float[] v = {1f, -2f, Float.intBitsToFloat(0x7fc00001), Float.MIN_VALUE};
        byte[] b = F32le.write(v, 0, v.length);
        assertThat(b).hasSize(16);
        assertThat(b[0]).isEqualTo((byte) 0x00);
        assertThat(b[3]).isEqualTo((byte) 0x3f); // 1.0f = 0x3f800000, little-endian
        float[] back = F32le.parse(b);
        for (int i = 0; i < v.length; i++) {
            assertThat(Float.floatToRawIntBits(back[i])).isEqualTo(Float.floatToRawIntBits(v[i]));
        }
        assertThatThrownBy(() -> F32le.parse(new byte[7]))
                .isInstanceOfSatisfying(
                        BadRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(BadRecordReason.TRUNCATED_F32))
                .hasMessageContaining("7 bytes, not a multiple of 4");
    }
}
