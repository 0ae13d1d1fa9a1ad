package io.flinkactivations.stream;

import io.flinkactivations.core.ActivationSpec;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * The operators' public API.
 *
 * <pre>{@code
 * ActivationResult relu = Activations.map(vectors, "leaky_relu(0.2)");
 * ActivationResult softmax = Activations.windowedSoftmax(vectors)
 *         .activation("softmax")
 *         .window("tumbling(10s)")
 *         .maxOutOfOrderness(Duration.ofSeconds(2))
 *         .build();
 * softmax.output().sinkTo(...);
 * softmax.deadLetters().sinkTo(...);
 * }</pre>
 */
public final class Activations {
    /** The side output that carries dead letters. */
    public static final OutputTag<FeatureVector> DEAD_LETTERS =
            new OutputTag<>("dead-letters", FeatureVectorTypeInfo.INSTANCE);

    private Activations() {}

    /**
     * Applies {@code spec} to each record's vector: element-wise, or for the softmax family across the
     * vector's features. Fails fast on a bad spec.
     */
    public static ActivationResult map(DataStream<FeatureVector> input, String spec) {
        return map(input, ActivationSpec.parse(spec));
    }

    public static ActivationResult map(DataStream<FeatureVector> input, ActivationSpec spec) {
        return map(input, spec, "activation-map");
    }

    /** As {@link #map(DataStream, ActivationSpec)}, with the operator's uid (for savepoints). */
    public static ActivationResult map(DataStream<FeatureVector> input, ActivationSpec spec, String uid) {
        SingleOutputStreamOperator<FeatureVector> out = input
                .process(new ActivationProcessFunction(spec), FeatureVectorTypeInfo.INSTANCE)
                .name("activation " + spec)
                .uid(uid);
        return new ActivationResult(out, out.getSideOutput(DEAD_LETTERS));
    }

    /** A builder for windowed softmax normalization (the softmax family along dim 0 across a window). */
    public static WindowedSoftmax.Builder windowedSoftmax(DataStream<FeatureVector> input) {
        return new WindowedSoftmax.Builder(input);
    }
}
