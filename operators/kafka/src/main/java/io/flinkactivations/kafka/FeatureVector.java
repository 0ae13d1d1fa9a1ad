package io.flinkactivations.kafka;

import io.flinkactivations.stream.BadRecordReason;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One record flowing through the pipeline: a feature vector with its Kafka key and, so that an
 * output or a dead letter can be written without parsing again, where it came from and its original
 * bytes.
 *
 * <p>A record that could not be read is a <em>bad</em> record ({@link #badReason()} is set, no
 * features): it carries its original bytes to the dead-letter topic. Flink serializes this type
 * with {@link FeatureVectorSerializer} (never Kryo).
 */
@TypeInfo(FeatureVectorTypeInfo.Factory.class)
@PublicEvolving
public final class FeatureVector {
    /**
     * {@link #windowCount()} of a record that is not a window's output (running_batch_norm's
     * outputs count 0 windows at first).
     */
    public static final int NO_WINDOW = -1;

    byte[] key;
    byte[] value; // JSON: the original bytes; bad records: the raw value; f32le: null (features
    // are the bytes)
    float[] features;
    long timestamp;
    // where the features array sits in the JSON value (see JsonRecord.Layout); -1 when not JSON
    int featuresStart = -1;
    int featuresEnd = -1;
    int objectEnd = -1;
    String topic;
    int partition = -1;
    long offset = -1;
    BadRecordReason badReason;
    String badMessage;
    long windowStart;
    long windowEnd;
    int windowCount = NO_WINDOW;

    FeatureVector() {}

    /** A record with just features and an event timestamp, for pipelines that do not read Kafka. */
    public static FeatureVector of(float[] features, long timestamp) {
        FeatureVector v = new FeatureVector();
        v.features = Objects.requireNonNull(features, "features");
        v.timestamp = timestamp;
        return v;
    }

    /** The same record with a key (null for none). */
    public FeatureVector withKey(byte[] key) {
        FeatureVector v = copy();
        v.key = key;
        return v;
    }

    /**
     * A copy of this record (its source, bytes and key) with other features, as an operator's
     * output.
     */
    public FeatureVector withFeatures(float[] newFeatures) {
        FeatureVector v = copy();
        v.features = newFeatures;
        return v;
    }

    /** This record marked bad: it goes to the dead-letter topic with its original bytes. */
    public FeatureVector asBad(BadRecordReason reason, String message) {
        FeatureVector v = copy();
        v.badReason = reason;
        v.badMessage = message;
        return v;
    }

    /**
     * What a window keeps of this record until it fires: the features, the timestamp and, for JSON,
     * the original object with its features array emptied (so the output keeps the other fields).
     * The key is the state's key and the source position is not needed for outputs, so both go.
     */
    FeatureVector forWindowState() {
        FeatureVector v = new FeatureVector();
        v.features = features;
        v.timestamp = timestamp;
        if (value != null && featuresStart >= 0) {
            int removed = featuresEnd - featuresStart - 2;
            byte[] b = new byte[value.length - removed];
            System.arraycopy(value, 0, b, 0, featuresStart);
            b[featuresStart] = '[';
            b[featuresStart + 1] = ']';
            System.arraycopy(value, featuresEnd, b, featuresStart + 2, value.length - featuresEnd);
            v.value = b;
            v.featuresStart = featuresStart;
            v.featuresEnd = featuresStart + 2;
            v.objectEnd = objectEnd < 0 ? -1 : objectEnd - removed;
        }
        return v;
    }

    FeatureVector copy() {
        FeatureVector v = new FeatureVector();
        v.key = key;
        v.value = value;
        v.features = features;
        v.timestamp = timestamp;
        v.featuresStart = featuresStart;
        v.featuresEnd = featuresEnd;
        v.objectEnd = objectEnd;
        v.topic = topic;
        v.partition = partition;
        v.offset = offset;
        v.badReason = badReason;
        v.badMessage = badMessage;
        v.windowStart = windowStart;
        v.windowEnd = windowEnd;
        v.windowCount = windowCount;
        return v;
    }

    /** The Kafka key, or null. */
    public byte[] key() {
        return key;
    }

    /** The features; null for a bad record. Do not modify: the array may be shared. */
    public float[] features() {
        return features;
    }

    public int dimension() {
        return features == null ? 0 : features.length;
    }

    /** Event time, epoch milliseconds: the record's {@code ts} field, else its Kafka timestamp. */
    public long timestamp() {
        return timestamp;
    }

    /**
     * The original value bytes (JSON, or a bad record's raw bytes); null for a good f32le record.
     */
    public byte[] value() {
        return value;
    }

    public boolean isBad() {
        return badReason != null;
    }

    public BadRecordReason badReason() {
        return badReason;
    }

    public String badMessage() {
        return badMessage;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    public boolean isWindowOutput() {
        return windowCount != NO_WINDOW;
    }

    public long windowStart() {
        return windowStart;
    }

    public long windowEnd() {
        return windowEnd;
    }

    public int windowCount() {
        return windowCount;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FeatureVector)) {
            return false;
        }
        FeatureVector v = (FeatureVector) o;
        return timestamp == v.timestamp
                && featuresStart == v.featuresStart
                && featuresEnd == v.featuresEnd
                && objectEnd == v.objectEnd
                && partition == v.partition
                && offset == v.offset
                && windowStart == v.windowStart
                && windowEnd == v.windowEnd
                && windowCount == v.windowCount
                && Arrays.equals(key, v.key)
                && Arrays.equals(value, v.value)
                && Arrays.equals(features, v.features)
                && Objects.equals(topic, v.topic)
                && badReason == v.badReason
                && Objects.equals(badMessage, v.badMessage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                Arrays.hashCode(key),
                Arrays.hashCode(features),
                timestamp,
                topic,
                partition,
                offset);
    }

    @Override
    public String toString() {
        String where = topic == null ? "" : " from " + topic + "-" + partition + "@" + offset;
        if (isBad()) {
            return "FeatureVector[bad " + badReason.code() + ": " + badMessage + where + "]";
        }
        return "FeatureVector["
                + Arrays.toString(features)
                + " ts="
                + timestamp
                + where
                + (isWindowOutput()
                        ? " window=[" + windowStart + "," + windowEnd + ") n=" + windowCount
                        : "")
                + "]";
    }
}
