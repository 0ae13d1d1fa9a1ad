package io.flinkactivations.kafka;

import io.flinkactivations.stream.BadRecordReason;
import io.flinkactivations.stream.internal.RecordModel;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * {@link FeatureVector}s from Kafka: bad records arrive marked, results and dead letters keep the
 * source.
 */
final class FeatureVectorModel extends RecordModel<FeatureVector, FeatureVector, FeatureVector> {
    private static final long serialVersionUID = 1L;
    static final FeatureVectorModel INSTANCE = new FeatureVectorModel();

    private FeatureVectorModel() {}

    @Override
    public TypeInformation<FeatureVector> inputType() {
        return FeatureVectorTypeInfo.INSTANCE;
    }

    @Override
    public TypeInformation<FeatureVector> outputType() {
        return FeatureVectorTypeInfo.INSTANCE;
    }

    @Override
    public OutputTag<FeatureVector> deadLetterTag() {
        return FeatureVectorActivations.DEAD_LETTERS;
    }

    @Override
    public FeatureVector rejection(FeatureVector v) {
        return v.isBad() ? v : null;
    }

    @Override
    public float[] features(FeatureVector v) {
        return v.features;
    }

    @Override
    public int dimension(FeatureVector v) {
        return v.features == null ? -1 : v.features.length;
    }

    @Override
    public long eventTime(FeatureVector v, long streamTimestamp) {
        return v.timestamp;
    }

    @Override
    public FeatureVector forState(FeatureVector v) {
        return v.forWindowState();
    }

    @Override
    public long storedTime(FeatureVector v) {
        return v.timestamp;
    }

    @Override
    public FeatureVector deadLetter(FeatureVector v, BadRecordReason reason, String message) {
        return v.asBad(reason, message);
    }

    @Override
    public BadRecordReason reason(FeatureVector deadLetter) {
        return deadLetter.badReason;
    }

    @Override
    public FeatureVector result(FeatureVector v, float[] features) {
        return v.withFeatures(features);
    }

    @Override
    public Object resultKey(Object key) {
        return RecordKey.bytes((String) key);
    }

    @Override
    public FeatureVector windowResult(
            Object key, FeatureVector v, float[] features, long start, long end, int count) {
        FeatureVector o = v.copy();
        o.key = (byte[]) key;
        o.features = features;
        o.windowStart = start;
        o.windowEnd = end;
        o.windowCount = count;
        return o;
    }

    private Object readResolve() {
        return INSTANCE;
    }
}
