package io.flinkactivations.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON form of a feature vector, one value per record:
 * {@code {"id": "a", "ts": 1700000000000, "features": [1, -2, 3, -5], ...}} or a bare array
 * {@code [1, -2, 3, -5]}. Numbers may be {@code NaN}, {@code Infinity}, {@code -Infinity}, bare or as
 * strings. On output, the record is the same object with {@code features} replaced (other fields
 * kept in place) and non-finite values written as strings, so the output is strict JSON.
 */
public final class JsonVectorCodec {
    public static final String FEATURES = "features";

    private static final ObjectMapper MAPPER = JsonMapper.builder(new JsonFactory())
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** A parsed record: the object it came in (null for a bare array) and its features. */
    public record Record(ObjectNode object, float[] features) {
        public boolean isBareArray() {
            return object == null;
        }
    }

    /** Parses one JSON value. */
    public Record parse(String json) throws BadRecordException {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new BadRecordException(BadRecordReason.MALFORMED_JSON,
                    "not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw new BadRecordException(BadRecordReason.MALFORMED_JSON, "empty value");
        }
        if (node.isArray()) {
            return new Record(null, features((ArrayNode) node));
        }
        if (!node.isObject()) {
            throw new BadRecordException(BadRecordReason.WRONG_TYPE,
                    "expected a JSON object with a \"features\" array, or a bare array; got " + describe(node));
        }
        JsonNode f = node.get(FEATURES);
        if (f == null) {
            throw new BadRecordException(BadRecordReason.MISSING_FEATURES, "the object has no \"features\" field");
        }
        if (!f.isArray()) {
            throw new BadRecordException(BadRecordReason.WRONG_TYPE, "\"features\" is " + describe(f) + ", not an array");
        }
        return new Record((ObjectNode) node, features((ArrayNode) f));
    }

    private static float[] features(ArrayNode array) throws BadRecordException {
        int n = array.size();
        if (n == 0) {
            throw new BadRecordException(BadRecordReason.EMPTY_VECTOR, "the feature vector is empty");
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            JsonNode v = array.get(i);
            if (v.isNumber()) {
                values[i] = v.floatValue();
            } else if (v.isTextual() && nonFinite(v.textValue()) != null) {
                values[i] = nonFinite(v.textValue());
            } else {
                throw new BadRecordException(BadRecordReason.WRONG_TYPE,
                        "features[" + i + "] is " + describe(v) + ", not a number");
            }
        }
        return values;
    }

    private static Float nonFinite(String s) {
        switch (s) {
            case "NaN":
                return Float.NaN;
            case "Infinity":
            case "+Infinity":
                return Float.POSITIVE_INFINITY;
            case "-Infinity":
                return Float.NEGATIVE_INFINITY;
            default:
                return null;
        }
    }

    private static String describe(JsonNode n) {
        if (n.isTextual()) {
            String t = n.textValue();
            return "the string \"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\"";
        }
        return switch (n.getNodeType()) {
            case NULL -> "null";
            case BOOLEAN -> "a boolean";
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case NUMBER -> "a number";
            default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** The output array: finite values as numbers, others as "NaN", "Infinity", "-Infinity". */
    public static ArrayNode toArray(float[] values, int off, int len) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode(len);
        for (int i = off; i < off + len; i++) {
            float v = values[i];
            if (Float.isFinite(v)) {
                a.add(v);
            } else {
                a.add(Float.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
            }
        }
        return a;
    }

    /**
     * The record with its features replaced by {@code values[off, off + len)}: the same object (other
     * fields untouched), or a bare array if it came as one. Modifies {@code record}'s object.
     */
    public ObjectNode withFeatures(Record record, float[] values, int off, int len) {
        ObjectNode o = record.object();
        if (o != null) {
            o.set(FEATURES, toArray(values, off, len));
        }
        return o;
    }

    /** Serializes the record with the given features as one line of strict JSON. */
    public String write(Record record, float[] values, int off, int len) {
        try {
            return record.isBareArray()
                    ? MAPPER.writeValueAsString(toArray(values, off, len))
                    : MAPPER.writeValueAsString(withFeatures(record, values, off, len));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JSON tree", e); // cannot happen for trees
        }
    }
}
