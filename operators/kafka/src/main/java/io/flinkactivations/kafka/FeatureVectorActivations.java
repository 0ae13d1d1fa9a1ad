package io.flinkactivations.kafka;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.stream.ActivationResult;
import io.flinkactivations.stream.WindowedSoftmax;
import io.flinkactivations.stream.internal.ActivationOperators;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.OutputTag;

/**
 * The operators on {@link FeatureVector}s, the records {@link FeatureVectorDeserializationSchema}
 * reads straight from Kafka bytes: results keep their record's bytes and key, and bad records (read
 * as such, or turned away by an operator) come out of {@link ActivationResult#deadLetters()} as
 * they came, for {@link DeadLetterSerializationSchema}.
 *
 * <pre>{@code
 * DataStream<FeatureVector> vectors = env.fromSource(KafkaSource.<FeatureVector>builder()
 *         .setDeserializer(new FeatureVectorDeserializationSchema(RecordFormat.JSON, 1_048_576))
 *         ...build(), WatermarkStrategy.noWatermarks(), "vectors");
 * ActivationResult<FeatureVector, FeatureVector> relu = FeatureVectorActivations.map(vectors, "leaky_relu(0.2)");
 * ActivationResult<FeatureVector, FeatureVector> softmax = FeatureVectorActivations.windowedSoftmax(vectors)
 *         .activation("softmax").window("count(100)").build();
 * }</pre>
 */
@PublicEvolving
public final class FeatureVectorActivations {
    /** The side output that carries {@link FeatureVector} dead letters. */
    public static final OutputTag<FeatureVector> DEAD_LETTERS =
            new OutputTag<>("dead-letters", FeatureVectorTypeInfo.INSTANCE);

    private FeatureVectorActivations() {}

    /**
     * {@code spec} on each {@link FeatureVector}; bad records go to the dead letters as they came.
     *
     * @param input the records
     * @param spec an activation spec, e.g. {@code leaky_relu(0.2)}
     * @return the results and the dead letters
     */
    public static ActivationResult<FeatureVector, FeatureVector> map(
            DataStream<FeatureVector> input, String spec) {
        return map(input, ActivationSpec.parse(spec), "activation-map");
    }

    /**
     * As {@link #map(DataStream, String)}, with the operator's uid (for savepoints).
     *
     * @param input the records
     * @param spec the activation
     * @param uid the operator's uid
     * @return the results and the dead letters
     */
    public static ActivationResult<FeatureVector, FeatureVector> map(
            DataStream<FeatureVector> input, ActivationSpec spec, String uid) {
        return ActivationOperators.map(input, spec, FeatureVectorModel.INSTANCE, uid);
    }

    /**
     * Windowed softmax of {@link FeatureVector}s, keyed by their Kafka key; their event time is
     * {@link FeatureVector#timestamp()}.
     *
     * @param input the records
     * @return the builder: set the activation and the window, then {@code build()}
     */
    public static WindowedSoftmax.Builder<FeatureVector, FeatureVector, FeatureVector>
            windowedSoftmax(DataStream<FeatureVector> input) {
        return WindowedSoftmax.builder(
                input, new RecordKey(), Types.STRING, FeatureVectorModel.INSTANCE);
    }
}
