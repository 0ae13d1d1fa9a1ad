package io.flinkactivations.stream;

import io.flinkactivations.core.ActivationSpec;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * The operators' public API, on a user's own record type or on {@link FeatureVector} (the job's
 * records from Kafka bytes).
 *
 * <pre>{@code
 * // any type: where its features are, how to make the result
 * Features<Reading, float[]> features = Features.floats(Reading::getFeatures);
 * ActivationResult<Reading, DeadLetter<Reading>> gelu = Activations.map(readings, "gelu(approximate='tanh')",
 *         features, (reading, out) -> reading.withFeatures(out));
 * ActivationResult<Reading, DeadLetter<Reading>> softmax = Activations
 *         .windowedSoftmax(readings.keyBy(Reading::getSensor), features, (reading, out, window) -> reading.withFeatures(out))
 *         .activation("softmax")
 *         .window("tumbling(10s)")
 *         .build();
 * softmax.output().sinkTo(...);
 * softmax.deadLetters().sinkTo(...);
 *
 * // FeatureVector, keyed by its Kafka key
 * ActivationResult<FeatureVector, FeatureVector> relu = Activations.map(vectors, "leaky_relu(0.2)");
 * }</pre>
 */
public final class Activations {
    /** The side output that carries {@link FeatureVector} dead letters. */
    public static final OutputTag<FeatureVector> DEAD_LETTERS =
            new OutputTag<>("dead-letters", FeatureVectorTypeInfo.INSTANCE);

    private Activations() {}

    /**
     * Applies {@code spec} to each record's features: element-wise, or for the softmax family across
     * the vector's features; the result keeps the input's type. Fails fast on a bad spec.
     */
    public static <T, V> ActivationResult<T, DeadLetter<T>> map(DataStream<T> input, String spec,
                                                                Features<T, V> features, ResultMaker<T, V, T> result) {
        return map(input, spec, features, result, input.getType(), "activation-map");
    }

    /**
     * As {@link #map(DataStream, String, Features, ResultMaker)}, to another result type, with the
     * operator's uid (for savepoints; each operator of a job needs its own).
     */
    public static <T, V, R> ActivationResult<R, DeadLetter<T>> map(
            DataStream<T> input, String spec, Features<T, V> features, ResultMaker<T, V, R> result,
            TypeInformation<R> resultType, String uid) {
        return map(input, ActivationSpec.parse(spec),
                UserRecordModel.forMap(input.getType(), features, result, resultType), uid);
    }

    /**
     * A builder for windowed softmax normalization of a user's records (the softmax family along dim
     * 0 across each key's window); results keep the input's type.
     */
    public static <T, K, V> WindowedSoftmax.Builder<T, T, DeadLetter<T>> windowedSoftmax(
            KeyedStream<T, K> input, Features<T, V> features, WindowResultMaker<T, V, T> result) {
        return windowedSoftmax(input, features, result, input.getType());
    }

    /** As {@link #windowedSoftmax(KeyedStream, Features, WindowResultMaker)}, to another result type. */
    public static <T, K, V, R> WindowedSoftmax.Builder<T, R, DeadLetter<T>> windowedSoftmax(
            KeyedStream<T, K> input, Features<T, V> features, WindowResultMaker<T, V, R> result,
            TypeInformation<R> resultType) {
        return new WindowedSoftmax.Builder<>(input, input.getKeySelector(), input.getKeyType(),
                UserRecordModel.forWindows(input.getType(), features, result, resultType));
    }

    /** {@code spec} on each {@link FeatureVector}; bad records go to the dead letters as they came. */
    public static ActivationResult<FeatureVector, FeatureVector> map(DataStream<FeatureVector> input, String spec) {
        return map(input, ActivationSpec.parse(spec));
    }

    public static ActivationResult<FeatureVector, FeatureVector> map(DataStream<FeatureVector> input,
                                                                     ActivationSpec spec) {
        return map(input, spec, "activation-map");
    }

    /** As {@link #map(DataStream, ActivationSpec)}, with the operator's uid (for savepoints). */
    public static ActivationResult<FeatureVector, FeatureVector> map(DataStream<FeatureVector> input,
                                                                     ActivationSpec spec, String uid) {
        return map(input, spec, FeatureVectorModel.INSTANCE, uid);
    }

    /** Windowed softmax of {@link FeatureVector}s, keyed by their Kafka key. */
    public static WindowedSoftmax.Builder<FeatureVector, FeatureVector, FeatureVector> windowedSoftmax(
            DataStream<FeatureVector> input) {
        return new WindowedSoftmax.Builder<>(input, new RecordKey(), Types.STRING,
                FeatureVectorModel.INSTANCE);
    }

    private static <IN, OUT, BAD> ActivationResult<OUT, BAD> map(DataStream<IN> input, ActivationSpec spec,
                                                                 RecordModel<IN, OUT, BAD> model, String uid) {
        SingleOutputStreamOperator<OUT> out = input
                .process(new ActivationProcessFunction<>(spec, model), model.outputType())
                .name("activation " + spec)
                .uid(uid);
        return new ActivationResult<>(out, out.getSideOutput(model.deadLetterTag()));
    }
}
