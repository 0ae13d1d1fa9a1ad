package io.flinkactivations.stream;

import io.flinkactivations.format.BadRecordReason;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * In front of the window, per key: routes bad records to the dead letters, and fixes the key's
 * dimension with its first good record so that a record of another dimension is dead-lettered once
 * (reason {@code dimension-mismatch}) rather than mixed into a batch, or rejected once per sliding
 * window it falls in. The dimension lives in keyed state.
 */
final class DimensionGate extends KeyedProcessFunction<String, FeatureVector, FeatureVector> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<Integer> dimension;
    private transient ActivationMetrics metrics;

    @Override
    public void open(OpenContext openContext) {
        dimension = getRuntimeContext().getState(new ValueStateDescriptor<>("dimension", Types.INT));
        metrics = new ActivationMetrics(getRuntimeContext().getMetricGroup());
    }

    /**
     * The key's dimension check: the first good record fixes it (in {@code dimension}, keyed state);
     * a good record of another dimension comes back as a dead letter ({@code dimension-mismatch}), and
     * so does one whose event time no window can hold ({@code invalid-timestamp}).
     */
    static FeatureVector check(ValueState<Integer> dimension, FeatureVector v) throws Exception {
        if (v.isBad()) {
            return v;
        }
        if (!FeatureVector.isValidTimestamp(v.timestamp())) { // the Kafka schema turns these away already
            return v.asBad(BadRecordReason.INVALID_TIMESTAMP, "the event time " + v.timestamp()
                    + " is not between 0 (1970-01-01) and " + FeatureVector.MAX_TIMESTAMP + " (9999-12-31) epoch ms");
        }
        Integer d = dimension.value();
        if (d == null) {
            dimension.update(v.dimension());
        } else if (d != v.dimension()) {
            return v.asBad(BadRecordReason.DIMENSION_MISMATCH, "the vector has " + v.dimension()
                    + " features; this key's windows have " + d);
        }
        return v;
    }

    @Override
    public void processElement(FeatureVector v, Context ctx, Collector<FeatureVector> out) throws Exception {
        metrics.in();
        v = check(dimension, v);
        if (v.isBad()) {
            metrics.deadLettered(v.badReason());
            ctx.output(Activations.DEAD_LETTERS, v);
        } else {
            out.collect(v);
        }
    }
}
