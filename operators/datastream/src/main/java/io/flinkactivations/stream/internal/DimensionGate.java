package io.flinkactivations.stream.internal;

import io.flinkactivations.stream.BadRecordReason;
import io.flinkactivations.stream.EventTime;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * In front of Flink's session window operator, per key: routes records that cannot be processed to
 * the dead letters, and fixes the key's dimension with its first good record so that a record of
 * another dimension is dead-lettered once (reason {@code dimension-mismatch}) rather than mixed
 * into a batch. The dimension lives in keyed state.
 */
@Internal
public final class DimensionGate<IN, BAD> extends KeyedProcessFunction<Object, IN, IN> {
    private static final long serialVersionUID = 1L;

    private final RecordModel<IN, ?, BAD> model;
    private transient ValueState<Integer> dimension;
    private transient ActivationMetrics metrics;

    public DimensionGate(RecordModel<IN, ?, BAD> model) {
        this.model = model;
    }

    @Override
    public void open(OpenContext openContext) {
        dimension =
                getRuntimeContext().getState(new ValueStateDescriptor<>("dimension", Types.INT));
        metrics = new ActivationMetrics(getRuntimeContext().getMetricGroup());
    }

    /**
     * The key's checks, as a dead letter or null: the record must have features, an event time a
     * time window can hold ({@code invalid-timestamp}, when {@code timed}), and the key's
     * dimension, which its first good record fixes (in {@code dimension}, keyed state; else {@code
     * dimension-mismatch}).
     */
    static <IN, BAD> BAD check(
            RecordModel<IN, ?, BAD> model,
            ValueState<Integer> dimension,
            IN v,
            long eventTime,
            boolean timed)
            throws Exception {
        int dim =
                model.dimension(
                        v); // the length only: a double[] is converted when its window fires
        BAD bad = model.problem(v, dim);
        if (bad != null) {
            return bad;
        }
        if (timed && eventTime == Long.MIN_VALUE) {
            return model.deadLetter(
                    v,
                    BadRecordReason.INVALID_TIMESTAMP,
                    "the record has no event time; time windows"
                            + " need timestamps: give the stream a WatermarkStrategy with a timestamp assigner");
        }
        if (timed && !EventTime.isValid(eventTime)) { // the Kafka schema turns these away already
            return model.deadLetter(
                    v,
                    BadRecordReason.INVALID_TIMESTAMP,
                    "the event time "
                            + eventTime
                            + " is not between 0 (1970-01-01) and "
                            + EventTime.MAX
                            + " (9999-12-31) epoch ms");
        }
        Integer d = dimension.value();
        if (d == null) {
            dimension.update(dim);
        } else if (d != dim) {
            return model.deadLetter(
                    v,
                    BadRecordReason.DIMENSION_MISMATCH,
                    "the vector has " + dim + " features; this key's windows have " + d);
        }
        return null;
    }

    @Override
    public void processElement(IN v, Context ctx, Collector<IN> out) throws Exception {
        metrics.in();
        Long ts = ctx.timestamp();
        BAD bad =
                check(
                        model,
                        dimension,
                        v,
                        model.eventTime(v, ts == null ? Long.MIN_VALUE : ts),
                        true);
        if (bad != null) {
            metrics.deadLettered(model.reason(bad));
            ctx.output(model.deadLetterTag(), bad);
        } else {
            out.collect(v);
        }
    }
}
