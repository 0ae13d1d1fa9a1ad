package io.flinkactivations.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The JSON record format, the one parser and writer of it (used by the Kafka schemas and by
 * {@code activations apply}).
 *
 * <p>In: {@code {"id": "a", "ts": 1700000000000, "features": [1, -2, 3, -5], ...}} or a bare array
 * {@code [1, -2, 3, -5]}; numbers may be {@code NaN}, {@code Infinity}, {@code -Infinity}, bare or as
 * strings. Out: the original bytes with the {@code features} array replaced in place and, for
 * objects, extra fields appended before the closing brace; non-finite values are written as the
 * strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}, so the output is strict JSON.
 * Parsing streams over the bytes once and records where the array sits, so the record is never
 * parsed twice or rebuilt as a tree.
 */
public final class JsonRecord {
    public static final String FEATURES = "features";
    public static final String TIMESTAMP = "ts";

    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER) // FastDoubleParser: correctly rounded, faster
            .build();

    /** Where a parsed record's parts are. {@code objectEnd} is -1 for a bare array. */
    public record Layout(float[] features, long timestamp, boolean hasTimestamp,
                         int featuresStart, int featuresEnd, int objectEnd) {
        public boolean isBareArray() {
            return objectEnd < 0;
        }
    }

    private JsonRecord() {}

    /** Parses one record of {@code len} bytes at {@code off}. */
    public static Layout parse(byte[] bytes, int off, int len) throws BadRecordException {
        checkUtf8(bytes, off, len);
        try (JsonParser p = FACTORY.createParser(bytes, off, len)) {
            JsonToken first = p.nextToken();
            Layout layout;
            if (first == JsonToken.START_ARRAY) {
                int start = (int) p.currentTokenLocation().getByteOffset() - off;
                float[] features = readFeatures(p);
                int end = (int) p.currentLocation().getByteOffset() - off;
                layout = new Layout(features, 0, false, start, end, -1);
            } else if (first == JsonToken.START_OBJECT) {
                layout = readObject(p, off);
            } else if (first == null) {
                throw new BadRecordException(BadRecordReason.MALFORMED_JSON, "empty value");
            } else {
                throw new BadRecordException(BadRecordReason.WRONG_TYPE,
                        "expected a JSON object with a \"features\" array, or a bare array; got " + describe(p));
            }
            if (p.nextToken() != null) {
                throw new BadRecordException(BadRecordReason.MALFORMED_JSON,
                        "unexpected content after the JSON value at byte " + (p.currentTokenLocation().getByteOffset()));
            }
            return layout;
        } catch (JsonParseException | StreamConstraintsException e) {
            throw new BadRecordException(BadRecordReason.MALFORMED_JSON, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRecordException(BadRecordReason.MALFORMED_JSON, "not valid JSON: " + e.getMessage());
        }
    }

    private static Layout readObject(JsonParser p, int off) throws IOException, BadRecordException {
        float[] features = null;
        int start = -1;
        int end = -1;
        long ts = 0;
        boolean hasTs = false;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (FEATURES.equals(name)) {
                if (features != null) {
                    throw new BadRecordException(BadRecordReason.MALFORMED_JSON, "\"features\" appears twice");
                }
                if (v != JsonToken.START_ARRAY) {
                    throw new BadRecordException(BadRecordReason.WRONG_TYPE,
                            "\"features\" is " + describe(p) + ", not an array");
                }
                start = (int) p.currentTokenLocation().getByteOffset() - off;
                features = readFeatures(p);
                end = (int) p.currentLocation().getByteOffset() - off;
            } else if (TIMESTAMP.equals(name)) {
                if (v != JsonToken.VALUE_NUMBER_INT) {
                    throw new BadRecordException(BadRecordReason.WRONG_TYPE,
                            "\"ts\" is " + describe(p) + "; it must be epoch milliseconds (a whole number)");
                }
                ts = p.getLongValue();
                hasTs = true;
            } else {
                p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new BadRecordException(BadRecordReason.MALFORMED_JSON, "unterminated object");
        }
        int objectEnd = (int) p.currentTokenLocation().getByteOffset() - off;
        if (features == null) {
            throw new BadRecordException(BadRecordReason.MISSING_FEATURES, "the object has no \"features\" field");
        }
        return new Layout(features, ts, hasTs, start, end, objectEnd);
    }

    private static float[] readFeatures(JsonParser p) throws IOException, BadRecordException {
        float[] values = new float[16];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            float v;
            if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                v = p.getFloatValue();
            } else if (t == JsonToken.VALUE_STRING && nonFinite(p.getText()) != 0) {
                v = nonFiniteValue(p.getText());
            } else if (t == null) {
                throw new BadRecordException(BadRecordReason.MALFORMED_JSON, "unterminated array");
            } else {
                throw new BadRecordException(BadRecordReason.WRONG_TYPE,
                        "features[" + n + "] is " + describe(p) + ", not a number");
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = v;
        }
        if (n == 0) {
            throw new BadRecordException(BadRecordReason.EMPTY_VECTOR, "the feature vector is empty");
        }
        return n == values.length ? values : Arrays.copyOf(values, n);
    }

    private static int nonFinite(String s) {
        return switch (s) {
            case "NaN", "Infinity", "+Infinity", "-Infinity" -> 1;
            default -> 0;
        };
    }

    private static float nonFiniteValue(String s) {
        return switch (s) {
            case "NaN" -> Float.NaN;
            case "-Infinity" -> Float.NEGATIVE_INFINITY;
            default -> Float.POSITIVE_INFINITY;
        };
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
        for (int i = off; i < off + len; i++) {
            if (bytes[i] < 0) {
                try {
                    StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes, off, len));
                } catch (CharacterCodingException e) {
                    throw new BadRecordException(BadRecordReason.INVALID_UTF8,
                            "the value is not valid UTF-8 (" + e.getMessage() + ")");
                }
                return;
            }
        }
    }

    /**
     * Writes the record with its features replaced by {@code values[off, off + len)}: the original
     * bytes around the array are kept; for an object, {@code extraFields} (already JSON, like
     * {@code "activation":"relu"}, may be empty) are appended before the closing brace.
     */
    public static byte[] write(byte[] original, Layout layout, float[] values, int off, int len, String extraFields) {
        byte[] extra = extraFields.isEmpty() || layout.isBareArray() ? null : extraFields.getBytes(StandardCharsets.UTF_8);
        int around = original.length - (layout.featuresEnd() - layout.featuresStart());
        byte[] buf = new byte[around + maxArrayLength(len) + (extra == null ? 0 : extra.length + 1)];
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

    /** The most bytes {@link #writeArray} writes for {@code len} values (a float is at most 15 chars). */
    public static int maxArrayLength(int len) {
        return 2 + len * 16;
    }

    /** A JSON array of the values; non-finite ones as strings. */
    public static void writeArray(ByteArrayOutputStream out, float[] values, int off, int len) {
        byte[] buf = new byte[maxArrayLength(len)];
        out.write(buf, 0, writeArray(buf, 0, values, off, len));
    }

    /**
     * Writes a JSON array of the values at {@code pos} (room: {@link #maxArrayLength}); returns the
     * position after it. Numbers are the shortest decimals that read back to the same float32
     * (Jackson's Schubfach writer, as JDK 19+'s Float.toString; JDK 17's is slower and not always
     * shortest); non-finite values are the strings "NaN", "Infinity", "-Infinity".
     */
    public static int writeArray(byte[] buf, int pos, float[] values, int off, int len) {
        buf[pos++] = '[';
        for (int i = off; i < off + len; i++) {
            if (i > off) {
                buf[pos++] = ',';
            }
            float v = values[i];
            if (Float.isFinite(v)) {
                String s = NumberOutput.toString(v, true);
                for (int k = 0; k < s.length(); k++) {
                    buf[pos++] = (byte) s.charAt(k); // ASCII
                }
            } else {
                byte[] s = Float.isNaN(v) ? NAN : v > 0 ? INFINITY : MINUS_INFINITY;
                System.arraycopy(s, 0, buf, pos, s.length);
                pos += s.length;
            }
        }
        buf[pos++] = ']';
        return pos;
    }

    private static final byte[] NAN = "\"NaN\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INFINITY = "\"Infinity\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MINUS_INFINITY = "\"-Infinity\"".getBytes(StandardCharsets.US_ASCII);

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
