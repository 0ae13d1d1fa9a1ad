package io.flinkactivations.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * JsonFloats against Jackson (its Schubfach writer and FastDoubleParser, which the JSON format used
 * before) and, on JDK 19+, Float.toString: the same text for every float written, the same float
 * for every number read.
 */
class JsonFloatsTest {
    private static final boolean JDK_SHORTEST = Runtime.version().feature() >= 19;
    private static final JsonFactory JACKSON =
            JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private static String write(float v) {
        byte[] buf = new byte[JsonFloats.MAX_CHARS];
        return new String(buf, 0, JsonFloats.write(v, buf, 0), StandardCharsets.US_ASCII);
    }

    private static void assertWritesAsJackson(float v) {
        String expected = NumberOutput.toString(v, true);
        String actual = write(v);
        if (!actual.equals(expected)) { // assertThat per value would dominate the run time
            assertThat(actual).as("bits %08x", Float.floatToRawIntBits(v)).isEqualTo(expected);
        }
        if (JDK_SHORTEST && !actual.equals(Float.toString(v))) {
            assertThat(actual)
                    .as("Float.toString, bits %08x", Float.floatToRawIntBits(v))
                    .isEqualTo(Float.toString(v));
        }
        float back = readOne(actual);
        if (Float.floatToRawIntBits(back) != Float.floatToRawIntBits(v)) {
            assertThat(back).as("read back " + actual).isEqualTo(v);
        }
    }

    /**
     * The number read twice: at the end of its bytes, where the reader takes a digit at a time, and
     * with room after it, where it takes eight.
     */
    private static float readOne(String number) {
        float[] values = readArray("[" + number + "]");
        assertThat(values).as(number).isNotNull().hasSize(1);
        float[] roomy = readArray("[" + number + "]" + " ".repeat(Long.BYTES));
        if (roomy == null
                || Float.floatToRawIntBits(roomy[0]) != Float.floatToRawIntBits(values[0])) {
            assertThat(roomy).as(number + " with room after it").containsExactly(values[0]);
        }
        return values[0];
    }

    private static float[] readArray(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        int[] end = new int[1];
        float[] values = JsonFloats.readArray(b, 0, b.length, end);
        if (values != null) {
            assertThat(b[end[0] - 1]).as("end of " + json).isEqualTo((byte) ']');
        }
        return values;
    }

    /**
     * The array as Jackson reads it (the format's reader before JsonFloats), or null where it
     * fails.
     */
    private static float[] jacksonArray(String json) {
        try (JsonParser p = JACKSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                return null;
            }
            List<Float> values = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                    values.add(p.getFloatValue());
                } else if (t == JsonToken.VALUE_STRING) {
                    values.add(
                            switch (p.getText()) {
                                case "NaN" -> Float.NaN;
                                case "Infinity", "+Infinity" -> Float.POSITIVE_INFINITY;
                                case "-Infinity" -> Float.NEGATIVE_INFINITY;
                                default -> throw new IOException("a string");
                            });
                } else {
                    return null;
                }
            }
            float[] out = new float[values.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = values.get(i);
            }
            return out;
        } catch (IOException e) {
            return null;
        }
    }

    @Test
    void writesEverySubnormalAsJackson() {
        for (int bits = 1; bits < 1 << 23; bits++) {
            assertWritesAsJackson(Float.intBitsToFloat(bits));
        }
    }

    @Test
    void writesEveryExponentsEdgesAndRandomFloatsAsJackson() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int exponent = 1; exponent < 255; exponent++) {
            int base = exponent << 23;
            for (int t : new int[] {0, 1, 2, 3, 0x3fffff, 0x400000, 0x7ffffd, 0x7ffffe, 0x7fffff}) {
                assertWritesAsJackson(Float.intBitsToFloat(base | t));
                assertWritesAsJackson(Float.intBitsToFloat(0x80000000 | base | t));
            }
            for (int i = 0; i < 2_000; i++) {
                assertWritesAsJackson(Float.intBitsToFloat(base | rnd.nextInt(1 << 23)));
            }
        }
        int longest = 0;
        for (int i = 0; i < 2_000_000; i++) {
            float v = Float.intBitsToFloat(rnd.nextInt());
            if (Float.isFinite(v)) {
                assertWritesAsJackson(v);
                longest = Math.max(longest, write(v).length());
            }
        }
        assertThat(longest)
                .as("the longest text written, e.g. -1.23456789E-12")
                .isEqualTo(JsonFloats.MAX_CHARS);
        for (int i = -1_000; i <= 1_000; i++) { // whole numbers, and the decimal layout's edges
            assertWritesAsJackson(i);
            assertWritesAsJackson(i / 1000f);
        }
        for (float v :
                new float[] {
                    0f,
                    -0f,
                    1e-3f,
                    0.00099999994f,
                    1e7f,
                    9999999f,
                    16777216f,
                    1.0E-5f,
                    Float.MIN_VALUE,
                    Float.MIN_NORMAL,
                    Float.MAX_VALUE,
                    -Float.MAX_VALUE,
                    0.1f,
                    0.3f,
                    2f / 3
                }) {
            assertWritesAsJackson(v);
        }
        assertThat(write(0.5f)).isEqualTo("0.5");
        assertThat(write(-0f)).isEqualTo("-0.0");
        assertThat(write(1e7f)).isEqualTo("1.0E7");
        assertThat(write(1.234e-5f)).isEqualTo("1.234E-5");
        assertThat(write(Float.MIN_VALUE)).isEqualTo("1.4E-45");
        assertThat(write(-Float.MAX_VALUE)).isEqualTo("-3.4028235E38");
    }

    @Test
    void readsWhatTheJdkWritesBackToTheSameFloat() {
        // JDK 17's Float.toString is not always the shortest: more digits, the same float
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 1_000_000; i++) {
            float v = Float.intBitsToFloat(rnd.nextInt());
            if (Float.isFinite(v)) {
                String s = Float.toString(v);
                float back = readOne(s);
                if (Float.floatToRawIntBits(back) != Float.floatToRawIntBits(v)) {
                    assertThat(back).as(s).isEqualTo(v);
                }
                String asDouble =
                        Double.toString(
                                v); // what Python's json.dumps writes for a float32: up to 17
                // digits
                back = readOne(asDouble);
                if (Float.floatToRawIntBits(back) != Float.floatToRawIntBits(v)) {
                    assertThat(back).as(asDouble).isEqualTo(v);
                }
            }
        }
    }

    @Test
    void readsRandomDecimalsAsJacksonAndBigDecimal() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < 300_000; i++) {
            int digits = 1 + rnd.nextInt(20);
            StringBuilder sb = new StringBuilder(rnd.nextBoolean() ? "-" : "");
            sb.append(1 + rnd.nextInt(9));
            for (int d = 1; d < digits; d++) {
                sb.append(rnd.nextInt(10));
            }
            int point = rnd.nextInt(digits + 1);
            if (point > 0 && point < digits) {
                sb.insert(sb.length() - digits + point, '.');
            }
            if (rnd.nextInt(3) == 0) {
                sb.append(rnd.nextBoolean() ? 'e' : 'E')
                        .append(rnd.nextBoolean() ? "-" : "")
                        .append(rnd.nextInt(50));
            }
            assertReadsAsJackson(sb.toString());
        }
    }

    private static void assertReadsAsJackson(String number) {
        float fast = readOne(number);
        float jackson = jacksonArray("[" + number + "]")[0];
        float exact = new BigDecimal(number).floatValue();
        if (Float.floatToRawIntBits(fast) != Float.floatToRawIntBits(jackson)
                || Float.floatToRawIntBits(fast) != Float.floatToRawIntBits(exact)) {
            assertThat(fast).as(number + " (BigDecimal: " + exact + ")").isEqualTo(jackson);
            assertThat(fast).as(number + " (Jackson: " + jackson + ")").isEqualTo(exact);
        }
    }

    @Test
    void decimalsOnAndNearFloatMidpointsRoundCorrectly() {
        // 2^24 + 1 is halfway between two floats: ties go to the even one
        assertThat(readOne("16777217")).isEqualTo(16777216f);
        assertThat(readOne("16777219")).isEqualTo(16777220f);
        assertThat(readOne("16777217.0")).isEqualTo(16777216f);
        // a hair above the midpoint: (double) of the 18-digit mantissa and the division both round
        // towards the midpoint, so a fast path without the margin would round it to even, down
        assertThat(readOne("16777217.0000000001")).isEqualTo(16777218f);
        assertThat(readOne("16777216.9999999999")).isEqualTo(16777216f);
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0;
                i < 100_000;
                i++) { // exact midpoints between random floats, short and long forms
            float lo = Float.intBitsToFloat(rnd.nextInt(0x00800000, 0x7f000000));
            BigDecimal mid =
                    new BigDecimal(lo)
                            .add(new BigDecimal(Math.nextUp(lo)))
                            .divide(BigDecimal.valueOf(2));
            for (String s :
                    new String[] {
                        mid.toString(),
                        mid.round(new MathContext(17)).toString(),
                        mid.round(new MathContext(9)).toString()
                    }) {
                if (s.length() <= 64) { // longer ones are Jackson's
                    // (numbersTooLongForTheFastPathGoToJackson)
                    assertReadsAsJackson(s);
                }
            }
        }
    }

    @Test
    void readsArraysWithWhitespaceAndNonFiniteValuesAsJackson() {
        for (String json :
                new String[] {
                    "[1]",
                    "[ 1 , -2.5e3 ,3E-2\t,\n0.25\r]",
                    "[0, -0, 0.0, -0.0, 0e5]",
                    "[NaN, Infinity, -Infinity]",
                    "[\"NaN\", \"Infinity\", \"+Infinity\", \"-Infinity\"]",
                    "[1e39, -1e39, 1e-46, 3.4028235e38]",
                    "[123456789012345678901234567890]",
                    "[0.000000000000000000000000000001]",
                    "[1" + ",2".repeat(100) + "]"
                }) {
            float[] fast = readArray(json);
            assertThat(fast).as(json).isNotNull();
            assertSameValues(json, fast, jacksonArray(json));
        }
        assertThat(Float.floatToRawIntBits(readArray("[-0]")[0])).isEqualTo(0x80000000);
        assertThat(Float.floatToRawIntBits(readArray("[-0.0]")[0])).isEqualTo(0x80000000);
    }

    /**
     * Bit for bit, NaN as NaN, except that Jackson reads "-0" (an integer) as +0.0 where the fast
     * reader keeps the sign.
     */
    private static void assertSameValues(String json, float[] fast, float[] jackson) {
        assertThat(jackson).as(json).isNotNull();
        assertThat(fast)
                .as(json)
                .usingElementComparator(
                        (a, b) -> a.equals(b) || a == 0 && b == 0 && json.contains("-0") ? 0 : 1)
                .containsExactly(jackson);
    }

    /**
     * Everything here goes back to Jackson: it fails them, or reads what only it reads (strings
     * with escapes).
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "[]",
                "[ ]",
                "[1,]",
                "[,1]",
                "[1 2]",
                "[01]",
                "[-01]",
                "[1.]",
                "[.5]",
                "[-]",
                "[+1]",
                "[1e]",
                "[1e+]",
                "[0x10]",
                "[1f]",
                "[1.5.2]",
                "[NaNa]",
                "[nan]",
                "[Infinit]",
                "[-Infinityx]",
                "[+Infinity]",
                "[\"1\"]",
                "[\"NaN \"]",
                "[\"N\\u0061N\"]",
                "[null]",
                "[true]",
                "[[1]]",
                "[{}]",
                "[1",
                "[1,",
                "[1]x",
                "[1/*c*/]",
                "[\u00a01]"
            })
    void leavesAnythingElseToJackson(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        int[] end = new int[1];
        float[] fast = JsonFloats.readArray(b, 0, b.length, end);
        if (json.equals("[1]x")) { // the array itself is fine; what follows is the caller's
            assertThat(fast).containsExactly(1f);
            assertThat(end[0]).isEqualTo(3);
        } else {
            assertThat(fast).as(json).isNull();
        }
    }

    @Test
    void aDigitRunEndsAtTheFirstByteThatIsNoDigitWhateverItIs() {
        // runs of 1 to 20 digits before and after the point, then every byte value: eight bytes
        // are classified at a time, and a byte at or above 0x80 must end the run as '/' and ':' do
        for (int run = 1; run <= 20; run++) {
            String digits = "123456789".repeat(3).substring(0, run);
            for (int b = 0; b < 256; b++) {
                for (String number : new String[] {digits, "7." + digits}) {
                    byte[] prefix = ("[" + number).getBytes(StandardCharsets.US_ASCII);
                    byte[] json = Arrays.copyOf(prefix, prefix.length + 12);
                    json[prefix.length] = (byte) b;
                    Arrays.fill(json, prefix.length + 1, json.length, (byte) ']');
                    int[] end = new int[1];
                    float[] values = JsonFloats.readArray(json, 0, json.length, end);
                    if (b == ']') {
                        assertThat(values).as(number + " then ]").containsExactly(readOne(number));
                    } else if (b >= '0' && b <= '9') {
                        assertThat(values)
                                .as(number + " then " + (char) b)
                                .containsExactly(readOne(number + (char) b));
                    } else if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                        assertThat(values).as(number + " then whitespace").hasSize(1);
                    } else { // anything else, then ']': not a number ('1e]', '1.]', '1,]', ...)
                        assertThat(values).as(number + " then byte " + b).isNull();
                    }
                }
            }
        }
    }

    @Test
    void numbersTooLongForTheFastPathGoToJackson() {
        String longNumber = "1." + "1".repeat(100);
        assertThat(readArray("[" + longNumber + "]")).isNull();
        assertThat(readOne("1." + "1".repeat(40))).isEqualTo(Float.parseFloat(longNumber));
    }

    @Test
    void randomArraysReadAsJacksonReadsThem() {
        // mutated arrays: whatever the fast reader takes, Jackson takes with the same values
        SplittableRandom rnd = new SplittableRandom(13);
        String[] tokens = {
            "1",
            "-2.5",
            "3e4",
            "0",
            "-0.5E-3",
            "NaN",
            "Infinity",
            "-Infinity",
            "\"NaN\"",
            "\"-Infinity\"",
            " ",
            ",",
            "]",
            "[",
            "01",
            "1.",
            ".",
            "e",
            "-",
            "+",
            "x",
            "\"",
            "null",
            "9999999999999999999"
        };
        int agreed = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder sb = new StringBuilder("[");
            int n = 1 + rnd.nextInt(6);
            for (int k = 0; k < n; k++) {
                sb.append(
                        k == 0
                                ? ""
                                : rnd.nextInt(20) == 0 ? tokens[rnd.nextInt(tokens.length)] : ",");
                sb.append(rnd.nextInt(10) == 0 ? " " : "");
                sb.append(tokens[rnd.nextInt(rnd.nextInt(8) == 0 ? tokens.length : 10)]);
            }
            String json = sb.append(']').toString();
            float[] fast = readArray(json);
            if (fast != null) {
                assertSameValues(json, fast, jacksonArray(json));
                agreed++;
            }
        }
        assertThat(agreed).as("arrays the fast reader took").isGreaterThan(10_000);
    }
}
