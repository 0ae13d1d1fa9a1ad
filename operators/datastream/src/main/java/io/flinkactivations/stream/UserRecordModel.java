package io.flinkactivations.stream;

import io.flinkactivations.stream.internal.RecordModel;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * A user's record type, read through {@link Features}: its event time is the stream's (a watermark
 * strategy's timestamp assigner), windows keep the records whole, dead letters are {@link
 * DeadLetter}s.
 */
final class UserRecordModel<T, V, R> extends RecordModel<T, R, DeadLetter<T>> {
    private static final long serialVersionUID = 1L;

    private final TypeInformation<T> inputType;
    private final TypeInformation<R> outputType;
    private final Features<T, V> features;
    private final ResultMaker<T, V, R> mapResult; // for the map operator
    private final WindowResultMaker<T, V, R> windowResult; // for windows
    private final OutputTag<DeadLetter<T>> deadLetters;

    private UserRecordModel(
            TypeInformation<T> inputType,
            TypeInformation<R> outputType,
            Features<T, V> features,
            ResultMaker<T, V, R> mapResult,
            WindowResultMaker<T, V, R> windowResult) {
        this.inputType = Objects.requireNonNull(inputType, "input type");
        this.outputType = Objects.requireNonNull(outputType, "result type");
        this.features = Objects.requireNonNull(features, "features");
        this.mapResult = mapResult;
        this.windowResult = windowResult;
        this.deadLetters = new OutputTag<>("dead-letters", DeadLetter.typeInfo(inputType));
    }

    static <T, V, R> UserRecordModel<T, V, R> forMap(
            TypeInformation<T> inputType,
            Features<T, V> features,
            ResultMaker<T, V, R> result,
            TypeInformation<R> resultType) {
        return new UserRecordModel<>(
                inputType,
                resultType,
                features,
                Objects.requireNonNull(result, "result maker"),
                null);
    }

    static <T, V, R> UserRecordModel<T, V, R> forWindows(
            TypeInformation<T> inputType,
            Features<T, V> features,
            WindowResultMaker<T, V, R> result,
            TypeInformation<R> resultType) {
        return new UserRecordModel<>(
                inputType,
                resultType,
                features,
                null,
                Objects.requireNonNull(result, "result maker"));
    }

    @Override
    public TypeInformation<T> inputType() {
        return inputType;
    }

    @Override
    public TypeInformation<R> outputType() {
        return outputType;
    }

    @Override
    public OutputTag<DeadLetter<T>> deadLetterTag() {
        return deadLetters;
    }

    @Override
    public DeadLetter<T> rejection(T record) {
        return null; // a user's records come unmarked; their features are checked as they are read
    }

    @Override
    public float[] features(T record) {
        return features.read(record);
    }

    @Override
    public int dimension(T record) {
        return features.dimension(record);
    }

    @Override
    public long eventTime(T record, long streamTimestamp) {
        return streamTimestamp;
    }

    @Override
    public DeadLetter<T> deadLetter(T record, BadRecordReason reason, String message) {
        return new DeadLetter<>(record, reason, message);
    }

    @Override
    public BadRecordReason reason(DeadLetter<T> deadLetter) {
        return deadLetter.reason();
    }

    @Override
    public R result(T record, float[] result) {
        return mapResult.make(record, features.result(result));
    }

    @Override
    public R windowResult(Object key, T stored, float[] result, long start, long end, int count) {
        return windowResult.make(
                stored, features.result(result), new WindowInfo(start, end, count));
    }
}
