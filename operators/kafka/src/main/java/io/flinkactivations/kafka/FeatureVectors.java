package io.flinkactivations.kafka;

import io.flinkactivations.format.F32le;
import io.flinkactivations.format.JsonRecord;
import io.flinkactivations.stream.BadRecordReason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Makes and writes {@link FeatureVector}s for the Kafka formats (kept here for field access). */
final class FeatureVectors {
    private FeatureVectors() {}

    public static FeatureVector json(
            byte[] key,
            byte[] value,
            JsonRecord.Layout layout,
            long timestamp,
            String topic,
            int partition,
            long offset) {
        FeatureVector v = source(key, timestamp, topic, partition, offset);
        v.value = value;
        v.features = layout.features();
        v.featuresStart = layout.featuresStart();
        v.featuresEnd = layout.featuresEnd();
        v.objectEnd = layout.objectEnd();
        return v;
    }

    public static FeatureVector f32le(
            byte[] key,
            float[] features,
            long timestamp,
            String topic,
            int partition,
            long offset) {
        FeatureVector v = source(key, timestamp, topic, partition, offset);
        v.features = features;
        return v;
    }

    public static FeatureVector bad(
            byte[] key,
            byte[] value,
            long timestamp,
            String topic,
            int partition,
            long offset,
            BadRecordReason reason,
            String message) {
        FeatureVector v = source(key, timestamp, topic, partition, offset);
        v.value = value;
        v.badReason = reason;
        v.badMessage = message;
        return v;
    }

    private static FeatureVector source(
            byte[] key, long timestamp, String topic, int partition, long offset) {
        FeatureVector v = new FeatureVector();
        v.key = key;
        v.timestamp = timestamp;
        v.topic = topic;
        v.partition = partition;
        v.offset = offset;
        return v;
    }

    /**
     * The record's value as it came in: its original bytes, or for f32le the bytes of its features.
     */
    public static byte[] originalValue(FeatureVector v) {
        if (v.value != null || v.features == null) {
            return v.value;
        }
        return F32le.write(v.features, 0, v.features.length);
    }

    /**
     * The output value in {@code json} form: the original object with its features replaced plus
     * {@code extraFields} (UTF-8 JSON fields, may be empty); a record that did not come as JSON
     * becomes {@code {"features": [...], ...}}.
     */
    private static final byte[] FEATURES_FIELD =
            "{\"features\":".getBytes(StandardCharsets.US_ASCII);

    public static byte[] jsonValue(FeatureVector v, byte[] extraFields) {
        if (v.value != null && v.featuresStart >= 0) {
            JsonRecord.Layout layout =
                    new JsonRecord.Layout(
                            v.features,
                            v.timestamp,
                            true,
                            v.featuresStart,
                            v.featuresEnd,
                            v.objectEnd);
            return JsonRecord.write(v.value, layout, v.features, 0, v.features.length, extraFields);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + v.features.length * 12);
        out.writeBytes(FEATURES_FIELD);
        JsonRecord.writeArray(out, v.features, 0, v.features.length);
        if (extraFields.length > 0) {
            out.write(',');
            out.writeBytes(extraFields);
        }
        out.write('}');
        return out.toByteArray();
    }
}
