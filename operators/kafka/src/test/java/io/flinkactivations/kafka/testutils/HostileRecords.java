package io.flinkactivations.kafka.testutils;

import io.flinkactivations.format.RecordFormat;
import io.flinkactivations.stream.BadRecordReason;
import io.flinkactivations.testutils.RandomCases;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Records a hostile or careless producer could write, each with what the job must make of it: a
 * result, or a dead letter with a reason. Used by the schemas' property tests and by the job's
 * hostile-input ITCase, which sends them all through a real broker.
 *
 * <p>Sizes are relative to {@link #MAX_VALUE_BYTES}, the value limit the tests give the job, and
 * Kafka timestamps to the clock when the catalog is made: the far-future ones need an input topic
 * with {@code message.timestamp.after.max.ms} raised.
 */
public final class HostileRecords {
    /** The job's value limit (--max-record-bytes) in the hostile-input tests. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;

    /**
     * One record: what a producer sends and what must come of it ({@code expected} null: a result).
     * {@code kafkaTimestamp} null: the producer's clock.
     */
    public record Case(
            String name,
            RecordFormat format,
            byte[] key,
            byte[] value,
            Map<String, byte[]> headers,
            Long kafkaTimestamp,
            BadRecordReason expected) {
        public boolean isGood() {
            return expected == null;
        }

        @Override
        public String toString() {
            return format + " " + name;
        }
    }

    private HostileRecords() {}

    private static final long HOUR = 3_600_000L;

    /** Every case, JSON and f32le. */
    public static List<Case> all() {
        List<Case> all = new ArrayList<>(json());
        all.addAll(f32le());
        return all;
    }

    /** Cases for the JSON format (more than 50 kinds). */
    public static List<Case> json() {
        long now = System.currentTimeMillis();
        Cases c = new Cases(RecordFormat.JSON);
        BadRecordReason malformed = BadRecordReason.MALFORMED_JSON;
        BadRecordReason wrongType = BadRecordReason.WRONG_TYPE;
        // values that are not a vector at all
        c.bad("empty value", new byte[0], malformed);
        c.bad("tombstone", null, BadRecordReason.EMPTY_VECTOR);
        c.bad("whitespace only", " \t\r\n ", malformed);
        c.bad("null", "null", wrongType);
        c.bad("true", "true", wrongType);
        c.bad("a number", "123", wrongType);
        c.bad("a string", "\"[1, 2]\"", wrongType);
        c.bad("empty object", "{}", BadRecordReason.MISSING_FEATURES);
        c.bad("empty bare array", "[]", BadRecordReason.EMPTY_VECTOR);
        c.bad("empty features", "{\"features\": []}", BadRecordReason.EMPTY_VECTOR);
        c.bad("features null", "{\"features\": null}", wrongType);
        c.bad("features a string", "{\"features\": \"1,2\"}", wrongType);
        c.bad("features an object", "{\"features\": {\"a\": 1}}", wrongType);
        c.bad(
                "features nested only",
                "{\"x\": {\"features\": [1]}}",
                BadRecordReason.MISSING_FEATURES);
        c.bad("a string element", "{\"features\": [1, \"two\"]}", wrongType);
        c.bad("a null element", "{\"features\": [1, null]}", wrongType);
        c.bad("a boolean element", "{\"features\": [true]}", wrongType);
        c.bad("a nested array element", "{\"features\": [[1]]}", wrongType);
        c.bad("an object element", "{\"features\": [{}]}", wrongType);
        c.bad("lower-case nan string", "{\"features\": [\"nan\"]}", wrongType);
        // broken syntax
        c.bad("trailing comma", "{\"features\": [1,]}", malformed);
        c.bad("missing comma", "{\"features\": [1 2]}", malformed);
        c.bad("features twice", "{\"features\": [1], \"features\": [2]}", malformed);
        c.bad("unterminated array", "{\"features\": [1, 2", malformed);
        c.bad("unterminated object", "{\"features\": [1]", malformed);
        c.bad("unterminated string", "{\"id\": \"abc, \"features\": [1]}", malformed);
        c.bad("garbage after the object", "{\"features\": [1]}}", malformed);
        c.bad("two objects", "{\"features\": [1]} {\"features\": [2]}", malformed);
        c.bad("a NUL after the object", "{\"features\": [1]}\u0000", malformed);
        c.bad("hex number", "{\"features\": [0x10]}", malformed);
        c.bad("leading zero", "{\"features\": [01]}", malformed);
        c.bad("trailing dot", "{\"features\": [1.]}", malformed);
        c.bad("leading dot", "{\"features\": [.5]}", malformed);
        c.bad("plus sign", "{\"features\": [+1]}", malformed);
        c.bad("single quotes", "{'features': [1]}", malformed);
        c.bad("a comment", "{\"features\": [1] /* c */}", malformed);
        c.bad("raw newline in a string", "{\"id\": \"a\nb\", \"features\": [1]}", malformed);
        c.bad("bad unicode escape", "{\"id\": \"\\uZZZZ\", \"features\": [1]}", malformed);
        c.bad("a 2000-digit number", "{\"features\": [" + "9".repeat(2000) + "]}", malformed);
        c.bad(
                "nested 5000 deep elsewhere",
                "{\"x\": " + "[".repeat(5000) + "]".repeat(5000) + ", \"features\": [1]}",
                malformed);
        c.bad(
                "features nested 5000 deep",
                "{\"features\": " + "[".repeat(5000) + "1" + "]".repeat(5000) + "}",
                wrongType);
        // not UTF-8
        c.bad(
                "invalid UTF-8",
                bytes("{\"id\": \"", new byte[] {(byte) 0xC3}, "\", \"features\": [1]}"),
                BadRecordReason.INVALID_UTF8);
        c.bad(
                "overlong UTF-8",
                bytes(
                        "{\"id\": \"",
                        new byte[] {(byte) 0xC0, (byte) 0xAF},
                        "\", \"features\": [1]}"),
                BadRecordReason.INVALID_UTF8);
        c.bad("UTF-16", "{\"features\": [1]}".getBytes(StandardCharsets.UTF_16LE), malformed);
        c.bad(
                "UTF-16 with its byte order mark",
                "{\"features\": [1]}".getBytes(StandardCharsets.UTF_16),
                BadRecordReason.INVALID_UTF8);
        c.bad("UTF-32", "[1]".getBytes(java.nio.charset.Charset.forName("UTF-32BE")), malformed);
        c.bad(
                "latin-1 text",
                "{\"id\": \"caf\u00e9\", \"features\": [1]}".getBytes(StandardCharsets.ISO_8859_1),
                BadRecordReason.INVALID_UTF8);
        // timestamps
        c.bad("negative ts", "{\"ts\": -5, \"features\": [1]}", BadRecordReason.INVALID_TIMESTAMP);
        c.bad(
                "ts Long.MAX_VALUE",
                "{\"ts\": 9223372036854775807, \"features\": [1]}",
                BadRecordReason.INVALID_TIMESTAMP);
        c.bad(
                "ts Long.MIN_VALUE",
                "{\"ts\": -9223372036854775808, \"features\": [1]}",
                BadRecordReason.INVALID_TIMESTAMP);
        c.bad(
                "ts beyond long",
                "{\"ts\": 99999999999999999999, \"features\": [1]}",
                BadRecordReason.INVALID_TIMESTAMP);
        c.bad(
                "ts past year 9999",
                "{\"ts\": 253402300800000, \"features\": [1]}",
                BadRecordReason.INVALID_TIMESTAMP);
        c.bad("ts with a fraction", "{\"ts\": 1.5, \"features\": [1]}", wrongType);
        c.bad("ts a date string", "{\"ts\": \"2024-01-01\", \"features\": [1]}", wrongType);
        c.bad("ts null", "{\"ts\": null, \"features\": [1]}", wrongType);
        c.good("ts zero", "{\"ts\": 0, \"features\": [1, -1]}");
        c.good("ts in year 9999", "{\"ts\": 253402300799999, \"features\": [2]}");
        c.good("ts a day ahead", "{\"ts\": " + (now + 24 * HOUR) + ", \"features\": [3]}");
        c.good(
                "ts 50 years ago",
                "{\"ts\": " + (now - 50L * 365 * 24 * HOUR) + ", \"features\": [4]}");
        c.bad(
                "ts 60 years ago (before 1970)",
                "{\"ts\": " + (now - 60L * 365 * 24 * HOUR) + ", \"features\": [4]}",
                BadRecordReason.INVALID_TIMESTAMP);
        // sizes
        c.bad(
                "value over the limit",
                "{\"features\": [1], \"pad\": \"" + "x".repeat(MAX_VALUE_BYTES) + "\"}",
                BadRecordReason.OVERSIZED);
        c.bad(
                "value far over the limit (1.2 MB)",
                "{\"features\": [1], \"pad\": \"" + "x".repeat(1_200_000) + "\"}",
                BadRecordReason.OVERSIZED);
        c.good(
                "value just under the limit",
                "{\"features\": [1], \"pad\": \"" + "x".repeat(MAX_VALUE_BYTES - 40) + "\"}");
        // numbers and extremes that are fine
        c.good("overflow to infinity", "{\"features\": [1e999, -1e999]}");
        c.good("underflow to zero", "{\"features\": [1e-999, -0]}");
        c.good("non-finite strings", "{\"features\": [\"NaN\", \"Infinity\", \"-Infinity\"]}");
        c.good("non-finite bare", "{\"features\": [NaN, Infinity, -Infinity]}");
        c.good("huge integer", "{\"features\": [123456789012345678901234567890]}");
        c.good("long mantissa", "{\"features\": [1.00000000000000000000000000000001]}");
        c.good("subnormals", "{\"features\": [1.4e-45, -1.17e-38]}");
        c.good("bare array", "[5, -5]");
        c.good("bare array in spaces", "  \n[5, -5]\t ");
        c.good("escaped field name", "{\"f\\u0065atures\": [6]}");
        c.good("unicode around", "{\"id\": \"\u00e9\u4e2d\ud83d\ude00\", \"features\": [7]}");
        c.good("escaped surrogate", "{\"id\": \"\\ud800\", \"features\": [8]}");
        c.good(
                "UTF-8 byte order mark",
                bytes(
                        "",
                        new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                        "{\"features\": [9]}"));
        c.good(
                "fields named like the output's",
                "{\"activation\": \"x\", \"window\": 1, \"features\": [10]}");
        c.good("a long string field", "{\"features\": [1], \"s\": \"" + "y".repeat(1000) + "\"}");
        c.good("4000 features", "{\"features\": [" + "1,".repeat(3999) + "1]}");
        // keys, headers and Kafka timestamps on good values
        c.add("null key", null, "{\"features\": [1]}", Map.of(), null, null);
        c.add("empty key", new byte[0], "{\"features\": [1]}", Map.of(), null, null);
        c.add(
                "binary key",
                new byte[] {0, (byte) 0xFF, (byte) 0xC3, 10},
                "{\"features\": [1]}",
                Map.of(),
                null,
                null);
        c.add("32 KB key", new byte[32 * 1024], "{\"features\": [1]}", Map.of(), null, null);
        c.add(
                "100 headers",
                "k".getBytes(StandardCharsets.UTF_8),
                "{\"features\": [1]}",
                headers(100, 10),
                null,
                null);
        c.add(
                "a 64 KB header",
                "k".getBytes(StandardCharsets.UTF_8),
                "{\"features\": [1]}",
                headers(1, 64 * 1024),
                null,
                null);
        c.add(
                "null and empty header values",
                "k".getBytes(StandardCharsets.UTF_8),
                "{\"features\": [1]}",
                nullHeaders(),
                null,
                null);
        c.add(
                "Kafka timestamp zero",
                "k".getBytes(StandardCharsets.UTF_8),
                "{\"features\": [1]}",
                Map.of(),
                0L,
                null);
        c.add(
                "Kafka timestamp a year ahead",
                "k".getBytes(StandardCharsets.UTF_8),
                "{\"features\": [1]}",
                Map.of(),
                now + 365 * 24 * HOUR,
                null);
        c.add(
                "Kafka timestamp in year 9999, no ts",
                "k".getBytes(StandardCharsets.UTF_8),
                "{\"features\": [1]}",
                Map.of(),
                253402300799999L,
                null);
        c.add(
                "Kafka timestamp past year 9999, no ts",
                "k".getBytes(StandardCharsets.UTF_8),
                "{\"features\": [1]}",
                Map.of(),
                253402300800000L,
                BadRecordReason.INVALID_TIMESTAMP);
        c.add(
                "bad value with a 32 KB key",
                new byte[32 * 1024],
                "{\"features\": [1, \"x\"]}",
                Map.of(),
                null,
                wrongType);
        return c.cases;
    }

    /** Cases for the f32le format. */
    public static List<Case> f32le() {
        long now = System.currentTimeMillis();
        Cases c = new Cases(RecordFormat.F32LE);
        c.bad("empty value", new byte[0], BadRecordReason.EMPTY_VECTOR);
        c.bad("tombstone", null, BadRecordReason.EMPTY_VECTOR);
        for (int n : new int[] {1, 2, 3, 5, 7, 4099}) {
            c.bad(n + " bytes", new byte[n], BadRecordReason.TRUNCATED_F32);
        }
        c.good("one float", floats(1f));
        c.good(
                "NaN payloads and infinities",
                ints(0x7fc00001, 0xffc00000, 0x7f800001, 0x7f800000, 0xff800000));
        c.good("zeros and subnormals", ints(0x80000000, 0x00000001, 0x807fffff, 0));
        c.good("extremes", floats(Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_NORMAL));
        c.good("all NaN", ints(0x7fc00000, 0x7fc00000, 0x7fc00000));
        c.good(
                "text bytes of a multiple of 4",
                "{\"features\":[1]}".getBytes(StandardCharsets.US_ASCII));
        c.good("value at the limit", new byte[MAX_VALUE_BYTES]);
        c.bad("value over the limit", new byte[MAX_VALUE_BYTES + 4], BadRecordReason.OVERSIZED);
        c.bad("value far over the limit (1.2 MB)", new byte[1_200_000], BadRecordReason.OVERSIZED);
        c.add("null key", null, floats(1, -1), Map.of(), null, null);
        c.add("binary key", new byte[] {(byte) 0x80, 0}, floats(1, -1), Map.of(), null, null);
        c.add("100 headers", new byte[] {1}, floats(1, -1), headers(100, 10), null, null);
        c.add("Kafka timestamp zero", new byte[] {1}, floats(1, -1), Map.of(), 0L, null);
        c.add(
                "Kafka timestamp a year ahead",
                new byte[] {1},
                floats(1, -1),
                Map.of(),
                now + 365 * 24 * HOUR,
                null);
        c.add(
                "Kafka timestamp past year 9999",
                new byte[] {1},
                floats(1, -1),
                Map.of(),
                253402300800000L,
                BadRecordReason.INVALID_TIMESTAMP);
        return c.cases;
    }

    /**
     * A random value: random bytes, a JSON record of the catalog with one byte changed, inserted or
     * cut, or random JSON-like text after {@code {"features": [}. Good or bad, never a crash.
     */
    public static byte[] randomValue(SplittableRandom random) {
        switch (random.nextInt(3)) {
            case 0:
                return RandomCases.bytes(random, 300);
            case 1:
                byte[] base = RandomCases.oneOf(random, MutationBases.VALUES);
                return mutate(
                        base,
                        RandomCases.intBetween(random, 0, 1999),
                        (byte) random.nextInt(256),
                        random.nextInt(3));
            default:
                return ("{\"features\": ["
                                + RandomCases.string(
                                        random, "{}[]\":,0123456789.eE+-ntrufalsNIyf \\", 80))
                        .getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * The catalog's JSON values under 2,000 bytes, which {@link #randomValue} mutates (made once,
     * when first used).
     */
    private static final class MutationBases {
        static final List<byte[]> VALUES =
                json().stream().map(Case::value).filter(v -> v != null && v.length < 2000).toList();
    }

    private static byte[] mutate(byte[] base, int at, byte b, int how) {
        if (base.length == 0) {
            return new byte[] {b};
        }
        int i = at % base.length;
        return switch (how) {
            case 0 -> {
                byte[] v = base.clone();
                v[i] = b;
                yield v;
            }
            case 1 -> {
                byte[] v = new byte[base.length + 1];
                System.arraycopy(base, 0, v, 0, i);
                v[i] = b;
                System.arraycopy(base, i, v, i + 1, base.length - i);
                yield v;
            }
            default -> Arrays.copyOf(base, i);
        };
    }

    private static final class Cases {
        final RecordFormat format;
        final List<Case> cases = new ArrayList<>();

        Cases(RecordFormat format) {
            this.format = format;
        }

        void good(String name, Object value) {
            add(
                    name,
                    ("key-" + cases.size()).getBytes(StandardCharsets.UTF_8),
                    value,
                    Map.of(),
                    null,
                    null);
        }

        void bad(String name, Object value, BadRecordReason reason) {
            add(
                    name,
                    ("key-" + cases.size()).getBytes(StandardCharsets.UTF_8),
                    value,
                    Map.of(),
                    null,
                    reason);
        }

        void add(
                String name,
                byte[] key,
                Object value,
                Map<String, byte[]> headers,
                Long ts,
                BadRecordReason reason) {
            byte[] v =
                    value == null
                            ? null
                            : value instanceof byte[] b
                                    ? b
                                    : ((String) value).getBytes(StandardCharsets.UTF_8);
            cases.add(new Case(name, format, key, v, headers, ts, reason));
        }
    }

    private static byte[] bytes(String before, byte[] middle, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] v = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, v, 0, a.length);
        System.arraycopy(middle, 0, v, a.length, middle.length);
        System.arraycopy(c, 0, v, a.length + middle.length, c.length);
        return v;
    }

    public static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : values) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static byte[] ints(int... bits) {
        ByteBuffer b = ByteBuffer.allocate(bits.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : bits) {
            b.putInt(i);
        }
        return b.array();
    }

    private static Map<String, byte[]> headers(int n, int size) {
        Map<String, byte[]> h = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            h.put("h" + i, new byte[size]);
        }
        return h;
    }

    private static Map<String, byte[]> nullHeaders() {
        Map<String, byte[]> h = new LinkedHashMap<>();
        h.put("null", null);
        h.put("empty", new byte[0]);
        h.put("", "no name".getBytes(StandardCharsets.UTF_8));
        return h;
    }
}
