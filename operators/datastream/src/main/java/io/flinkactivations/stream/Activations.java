package io.flinkactivations.stream;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.stream.internal.ActivationOperators;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;

/**
 * The operators on a user's own record type: an activation on each record's features, and windowed
 * softmax normalization across each key's window.
 *
 * <pre>{@code
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
 * }</pre>
 *
 * <p>The Kafka module's {@code FeatureVectorActivations} gives the same operators on records read
 * straight from Kafka bytes.
 */
@PublicEvolving
public final class Activations {
    private Activations() {}

    /**
     * Applies {@code spec} to each record's features: element-wise, or for the softmax family and
     * the per-record normalizations (layer_norm, normalize, rms_norm) across the vector's features,
     * or a chain of them; the result keeps the input's type. Fails fast on a bad spec, and on a
     * step that needs a window.
     *
     * @param input the records
     * @param spec an activation spec, e.g. {@code gelu(approximate='tanh')}
     * @param features where a record's features are
     * @param result makes a result from a record and its activated features
     * @param <T> the record type
     * @param <V> {@code float[]} or {@code double[]}
     * @return the results and the dead letters
     */
    public static <T, V> ActivationResult<T, DeadLetter<T>> map(
            DataStream<T> input,
            String spec,
            Features<T, V> features,
            ResultMaker<T, V, T> result) {
        return map(input, spec, features, result, input.getType(), "activation-map");
    }

    /**
     * As {@link #map(DataStream, String, Features, ResultMaker)}, to another result type, with the
     * operator's uid (for savepoints; each operator of a job needs its own).
     *
     * @param input the records
     * @param spec an activation spec, e.g. {@code gelu(approximate='tanh')}
     * @param features where a record's features are
     * @param result makes a result from a record and its activated features
     * @param resultType the results' type
     * @param uid the operator's uid
     * @param <T> the record type
     * @param <V> {@code float[]} or {@code double[]}
     * @param <R> the result type
     * @return the results and the dead letters
     */
    public static <T, V, R> ActivationResult<R, DeadLetter<T>> map(
            DataStream<T> input,
            String spec,
            Features<T, V> features,
            ResultMaker<T, V, R> result,
            TypeInformation<R> resultType,
            String uid) {
        return ActivationOperators.map(
                input,
                ActivationSpec.parse(spec),
                UserRecordModel.forMap(input.getType(), features, result, resultType),
                uid);
    }

    /**
     * A builder for windowed normalization of a user's records along dim 0 across each key's
     * window: the softmax family, batch_norm, min_max, max_abs or running_batch_norm, alone or in a
     * chain with per-record steps; results keep the input's type.
     *
     * @param input the records, keyed
     * @param features where a record's features are
     * @param result makes a result from a record, its normalised features and its window
     * @param <T> the record type
     * @param <K> the key type
     * @param <V> {@code float[]} or {@code double[]}
     * @return the builder: set the activation and the window, then {@code build()}
     */
    public static <T, K, V> WindowedSoftmax.Builder<T, T, DeadLetter<T>> windowedSoftmax(
            KeyedStream<T, K> input, Features<T, V> features, WindowResultMaker<T, V, T> result) {
        return windowedSoftmax(input, features, result, input.getType());
    }

    /**
     * As {@link #windowedSoftmax(KeyedStream, Features, WindowResultMaker)}, to another result
     * type.
     *
     * @param input the records, keyed
     * @param features where a record's features are
     * @param result makes a result from a record, its normalised features and its window
     * @param resultType the results' type
     * @param <T> the record type
     * @param <K> the key type
     * @param <V> {@code float[]} or {@code double[]}
     * @param <R> the result type
     * @return the builder: set the activation and the window, then {@code build()}
     */
    public static <T, K, V, R> WindowedSoftmax.Builder<T, R, DeadLetter<T>> windowedSoftmax(
            KeyedStream<T, K> input,
            Features<T, V> features,
            WindowResultMaker<T, V, R> result,
            TypeInformation<R> resultType) {
        return WindowedSoftmax.builder(
                input,
                input.getKeySelector(),
                input.getKeyType(),
                UserRecordModel.forWindows(input.getType(), features, result, resultType));
    }
}
