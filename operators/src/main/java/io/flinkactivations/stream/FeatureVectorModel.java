package io.flinkactivations.stream;

import io.flinkactivations.format.BadRecordReason;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** {@link FeatureVector}s from Kafka: bad records arrive marked, results and dead letters keep the source. */
final class FeatureVectorModel extends RecordModel<FeatureVector, FeatureVector, FeatureVector> {
    private static final long serialVersionUID = 1L;
    static final FeatureVectorModel INSTANCE = new FeatureVectorModel();

    private FeatureVectorModel() {}

    @Override
    TypeInformation<FeatureVector> inputType() {
        return FeatureVectorTypeInfo.INSTANCE;
    }

    @Override
    TypeInformation<FeatureVector> outputType() {
        return FeatureVectorTypeInfo.INSTANCE;
    }

    @Override
    OutputTag<FeatureVector> deadLetterTag() {
        return Activations.DEAD_LETTERS;
    }

    @Override
    FeatureVector rejection(FeatureVector v) {
        return v.isBad() ? v : null;
    }

    @Override
    float[] features(FeatureVector v) {
        return v.features;
    }

    @Override
    int dimension(FeatureVector v) {
        return v.features == null ? -1 : v.features.length;
    }

    @Override
    long eventTime(FeatureVector v, long streamTimestamp) {
        return v.timestamp;
    }

    @Override
    FeatureVector forState(FeatureVector v) {
        return v.forWindowState();
    }

    @Override
    long storedTime(FeatureVector v) {
        return v.timestamp;
    }

    @Override
    FeatureVector deadLetter(FeatureVector v, BadRecordReason reason, String message) {
        return v.asBad(reason, message);
    }

    @Override
    BadRecordReason reason(FeatureVector deadLetter) {
        return deadLetter.badReason;
    }

    @Override
    FeatureVector result(FeatureVector v, float[] features) {
        return v.withFeatures(features);
    }

    @Override
    Object resultKey(Object key) {
        return RecordKey.bytes((String) key);
    }

    @Override
    FeatureVector windowResult(Object key, FeatureVector v, float[] features, long start, long end, int count) {
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
