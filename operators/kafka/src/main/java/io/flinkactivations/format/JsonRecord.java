package io.flinkactivations.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.flinkactivations.stream.BadRecordReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.annotation.Internal;

/**
 * The JSON record format, the one parser and writer of it (used by the Kafka schemas and by {@code
 * activations apply}).
 *
 * <p>In: {@code {"id": "a", "ts": 1700000000000, "features": [1, -2, 3, -5], ...}} or a bare array
 * {@code [1, -2, 3, -5]}; numbers may be {@code NaN}, {@code Infinity}, {@code -Infinity}, bare or
 * as strings. Out: the original bytes with the {@code features} array replaced in place and, for
 * objects, extra fields appended before the closing brace; non-finite values are written as the
 * strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}, so the output is strict JSON.
 * Parsing streams over the bytes once and records where the array sits, so the record is never
 * parsed twice or rebuilt as a tree: Jackson reads the object around the array, {@link JsonFloats}
 * the array's numbers (and hands anything unusual in it back to Jackson, which reports what is
 * wrong).
 */
@Internal
public final class JsonRecord {
    public static final String FEATURES = "features";
    public static final String TIMESTAMP = "ts";

    private static final JsonFactory FACTORY =
            new JsonFactoryBuilder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(
                            StreamReadFeature
                                    .USE_FAST_DOUBLE_PARSER) // FastDoubleParser: correctly rounded,
                    // faster
                    .build();

    /** Where a parsed record's parts are. {@code objectEnd} is -1 for a bare array. */
    public record Layout(
            float[] features,
            long timestamp,
            boolean hasTimestamp,
            int featuresStart,
            int featuresEnd,
            int objectEnd) {
        public boolean isBareArray() {
            return objectEnd < 0;
        }
    }

    private JsonRecord() {}

    /** Parses one record of {@code len} bytes at {@code off}. */
    public static Layout parse(byte[] bytes, int off, int len) throws BadRecordException {
        checkUtf8(bytes, off, len);
        int limit = off + len;
        // Jackson would read UTF-16 and UTF-32 too, which it tells by zero bytes among the first
        // four,
        // and give char offsets, not byte offsets; JSON text in UTF-8 has no zero byte
        for (int i = off; i < Math.min(off + 4, limit); i++) {
            if (bytes[i] == 0) {
                throw new BadRecordException(
                        BadRecordReason.MALFORMED_JSON,
                        "not valid JSON: a zero byte at byte "
                                + (i - off)
                                + " (JSON records must be UTF-8, not UTF-16 or UTF-32)");
            }
        }
        try (JsonParser p = FACTORY.createParser(bytes, off, len)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_ARRAY) {
                int start = (int) p.currentTokenLocation().getByteOffset() - off;
                int[] arrayEnd = new int[1];
                float[] features = JsonFloats.readArray(bytes, off + start, limit, arrayEnd);
                if (features != null
                        && JsonFloats.skipWhitespace(bytes, arrayEnd[0], limit) == limit) {
                    return new Layout(features, 0, false, start, arrayEnd[0] - off, -1);
                }
                features =
                        readFeatures(
                                p); // Jackson reads what the fast reader did not, and says what is
                // wrong
                int end = (int) p.currentLocation().getByteOffset() - off;
                checkNothingAfter(p, off);
                return new Layout(features, 0, false, start, end, -1);
            } else if (first == JsonToken.START_OBJECT) {
                return readObject(p, bytes, off, limit);
            } else if (first == null) {
                throw new BadRecordException(BadRecordReason.MALFORMED_JSON, "empty value");
            } else {
                throw new BadRecordException(
                        BadRecordReason.WRONG_TYPE,
                        "expected a JSON object with a \"features\" array, or a bare array; got "
                                + describe(p));
            }
        } catch (JsonParseException | StreamConstraintsException e) {
            throw new BadRecordException(
                    BadRecordReason.MALFORMED_JSON, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRecordException(
                    BadRecordReason.MALFORMED_JSON, "not valid JSON: " + e.getMessage());
        }
    }

    /**
     * Fails if the parser has anything after the value it read; {@code shift} maps its offsets to
     * the record's.
     */
    private static void checkNothingAfter(JsonParser p, int shift)
            throws IOException, BadRecordException {
        if (p.nextToken() != null) {
            throw new BadRecordException(
                    BadRecordReason.MALFORMED_JSON,
                    "unexpected content after the JSON value at byte "
                            + (p.currentTokenLocation().getByteOffset() + shift));
        }
    }

    /**
     * The fields after a fast-read features array are read by Jackson from a copy of them behind
     * this placeholder field (a parser cannot start in the middle of an object).
     */
    private static final byte[] REST_PREFIX = "{\"\":0".getBytes(StandardCharsets.US_ASCII);

    private static Layout readObject(JsonParser p, byte[] bytes, int off, int limit)
            throws IOException, BadRecordException {
        float[] features = null;
        int start = -1;
        int end = -1;
        long ts = 0;
        boolean hasTs = false;
        JsonParser in = p; // p, or the parser of the fields after the features
        int shift = -off; // the record's offset of a location of `in`, minus that location
        try {
            JsonToken t;
            while ((t = in.nextToken()) == JsonToken.FIELD_NAME) {
                String name = in.currentName();
                JsonToken v = in.nextToken();
                if (FEATURES.equals(name)) {
                    if (features != null) {
                        throw new BadRecordException(
                                BadRecordReason.MALFORMED_JSON, "\"features\" appears twice");
                    }
                    if (v != JsonToken.START_ARRAY) {
                        throw new BadRecordException(
                                BadRecordReason.WRONG_TYPE,
                                "\"features\" is " + describe(in) + ", not an array");
                    }
                    start = (int) in.currentTokenLocation().getByteOffset() + shift;
                    int[] arrayEnd = new int[1];
                    float[] fast = JsonFloats.readArray(bytes, off + start, limit, arrayEnd);
                    if (fast == null) {
                        features = readFeatures(in);
                        end = (int) in.currentLocation().getByteOffset() + shift;
                        continue;
                    }
                    features = fast;
                    end = arrayEnd[0] - off;
                    int close = JsonFloats.skipWhitespace(bytes, arrayEnd[0], limit);
                    if (close < limit
                            && bytes[close] == '}'
                            && JsonFloats.skipWhitespace(bytes, close + 1, limit) == limit) {
                        return new Layout(
                                features,
                                ts,
                                hasTs,
                                start,
                                end,
                                close - off); // the usual: features last
                    }
                    byte[] rest = new byte[REST_PREFIX.length + limit - arrayEnd[0]];
                    System.arraycopy(REST_PREFIX, 0, rest, 0, REST_PREFIX.length);
                    System.arraycopy(
                            bytes, arrayEnd[0], rest, REST_PREFIX.length, limit - arrayEnd[0]);
                    in = FACTORY.createParser(rest);
                    in.nextToken(); // START_OBJECT; the placeholder field is skipped as any other
                    shift = end - REST_PREFIX.length;
                } else if (TIMESTAMP.equals(name)) {
                    if (v != JsonToken.VALUE_NUMBER_INT) {
                        throw new BadRecordException(
                                BadRecordReason.WRONG_TYPE,
                                "\"ts\" is "
                                        + describe(in)
                                        + "; it must be epoch milliseconds (a whole number)");
                    }
                    if (in.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw new BadRecordException(
                                BadRecordReason.INVALID_TIMESTAMP,
                                "\"ts\" is "
                                        + describe(in)
                                        + ", beyond any epoch-millisecond time");
                    }
                    ts = in.getLongValue();
                    hasTs = true;
                } else {
                    in.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new BadRecordException(BadRecordReason.MALFORMED_JSON, "unterminated object");
            }
            int objectEnd = (int) in.currentTokenLocation().getByteOffset() + shift;
            if (features == null) {
                throw new BadRecordException(
                        BadRecordReason.MISSING_FEATURES, "the object has no \"features\" field");
            }
            checkNothingAfter(in, shift + off);
            return new Layout(features, ts, hasTs, start, end, objectEnd);
        } finally {
            if (in != p) {
                in.close();
            }
        }
    }

    private static float[] readFeatures(JsonParser p) throws IOException, BadRecordException {
        float[] values = new float[16];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            float v;
            Float spelled = t == JsonToken.VALUE_STRING ? JsonFloats.nonFinite(p.getText()) : null;
            if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                v = p.getFloatValue();
            } else if (spelled != null) {
                v = spelled;
            } else if (t == null) {
                throw new BadRecordException(BadRecordReason.MALFORMED_JSON, "unterminated array");
            } else {
                throw new BadRecordException(
                        BadRecordReason.WRONG_TYPE,
                        "features[" + n + "] is " + describe(p) + ", not a number");
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = v;
        }
        if (n == 0) {
            throw new BadRecordException(
                    BadRecordReason.EMPTY_VECTOR, "the feature vector is empty");
        }
        return n == values.length ? values : Arrays.copyOf(values, n);
    }

    private static String describe(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case VALUE_STRING -> {
                String s = p.getText();
                yield "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
            }
            case VALUE_NULL -> "null";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number (" + p.getText() + ")";
            default -> t.toString();
        };
    }

    /** Fails on bytes that are not UTF-8; ASCII, the common case, is one quick pass. */
    static void checkUtf8(byte[] bytes, int off, int len) throws BadRecordException {
        long highBits = 0; // of 8 bytes at a time: ASCII has none
        int i = off;
        for (; i <= off + len - 8; i += 8) {
            highBits |= (long) LONG_LE.get(bytes, i);
        }
        for (; i < off + len; i++) {
            highBits |= bytes[i];
        }
        if ((highBits & 0x8080808080808080L) != 0) {
            try {
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, off, len));
            } catch (CharacterCodingException e) {
                throw new BadRecordException(
                        BadRecordReason.INVALID_UTF8,
                        "the value is not valid UTF-8 (" + e.getMessage() + ")");
            }
        }
    }

    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Writes the record with its features replaced by {@code values[off, off + len)}: the original
     * bytes around the array are kept; for an object, {@code extraFields} (UTF-8 JSON, like {@code
     * "activation":"relu"}, may be empty) are appended before the closing brace. The extra fields
     * come as bytes so that a writer encodes its constant fields once, not once per record.
     */
    public static byte[] write(
            byte[] original, Layout layout, float[] values, int off, int len, byte[] extraFields) {
        byte[] extra = extraFields.length == 0 || layout.isBareArray() ? null : extraFields;
        int around = original.length - (layout.featuresEnd() - layout.featuresStart());
        byte[] buf = scratch(around + maxArrayLength(len) + (extra == null ? 0 : extra.length + 1));
        System.arraycopy(original, 0, buf, 0, layout.featuresStart());
        int pos = writeArray(buf, layout.featuresStart(), values, off, len);
        if (extra == null) {
            int tail = original.length - layout.featuresEnd();
            System.arraycopy(original, layout.featuresEnd(), buf, pos, tail);
            pos += tail;
        } else {
            int middle = layout.objectEnd() - layout.featuresEnd();
            System.arraycopy(original, layout.featuresEnd(), buf, pos, middle);
            pos += middle;
            buf[pos++] = ',';
            System.arraycopy(extra, 0, buf, pos, extra.length);
            pos += extra.length;
            int tail = original.length - layout.objectEnd();
            System.arraycopy(original, layout.objectEnd(), buf, pos, tail);
            pos += tail;
        }
        return Arrays.copyOf(buf, pos);
    }

    /**
     * Room to write a record in before copying it out at its size: no zeroed worst-case array per
     * record.
     */
    private static final ThreadLocal<byte[]> SCRATCH =
            ThreadLocal.withInitial(() -> new byte[4096]);

    private static final int MAX_SCRATCH = 1 << 16;

    private static byte[] scratch(int size) {
        byte[] buf = SCRATCH.get();
        if (buf.length < size) {
            buf = new byte[size];
            if (size <= MAX_SCRATCH) {
                SCRATCH.set(buf);
            }
        }
        return buf;
    }

    /**
     * The most bytes {@link #writeArray} writes for {@code len} values (a float is at most
     * JsonFloats.MAX_CHARS).
     */
    public static int maxArrayLength(int len) {
        return 2 + len * (MAX_NUMBER_CHARS + 1);
    }

    /**
     * The most bytes one number of an output array takes ({@code "-Infinity"} and its quotes, or a
     * float's digits).
     */
    public static final int MAX_NUMBER_CHARS = JsonFloats.MAX_CHARS;

    /** A JSON array of the values; non-finite ones as strings. */
    public static void writeArray(ByteArrayOutputStream out, float[] values, int off, int len) {
        byte[] buf = new byte[maxArrayLength(len)];
        out.write(buf, 0, writeArray(buf, 0, values, off, len));
    }

    /**
     * Writes a JSON array of the values at {@code pos} (room: {@link #maxArrayLength}); returns the
     * position after it. Numbers are the shortest decimals that read back to the same float32, as
     * JDK 19+'s Float.toString writes them ({@link JsonFloats}); non-finite values are the strings
     * "NaN", "Infinity", "-Infinity".
     */
    public static int writeArray(byte[] buf, int pos, float[] values, int off, int len) {
        buf[pos++] = '[';
        for (int i = off; i < off + len; i++) {
            if (i > off) {
                buf[pos++] = ',';
            }
            pos = JsonFloats.write(values[i], buf, pos);
        }
        buf[pos++] = ']';
        return pos;
    }

    /** A JSON string literal (quoted and escaped). */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
