package io.flinkactivations.stream.internal;

import io.flinkactivations.core.ActivationKernel;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import io.flinkactivations.stream.BadRecordReason;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The map operator: applies an activation to each record's vector (the softmax family across the
 * vector's own features) through the compute core. Records that cannot be processed go to the
 * model's dead-letter side output. Allocates only the output record.
 */
@Internal
public final class ActivationProcessFunction<IN, OUT, BAD> extends ProcessFunction<IN, OUT> {
    private static final long serialVersionUID = 1L;

    private final ActivationSpec spec;
    private final RecordModel<IN, OUT, BAD> model;
    private transient ActivationKernel kernel;
    private transient ActivationMetrics metrics;

    public ActivationProcessFunction(ActivationSpec spec, RecordModel<IN, OUT, BAD> model) {
        this.spec = spec;
        this.model = model;
    }

    @Override
    public void open(OpenContext openContext) {
        kernel = Kernels.get().kernel(spec);
        metrics = new ActivationMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(IN v, Context ctx, Collector<OUT> out) {
        metrics.in();
        float[] features = model.features(v);
        BAD bad = model.problem(v, features == null ? -1 : features.length);
        if (bad == null) {
            String why = spec.checkDimension(features.length); // a grouped softmax's groups
            bad = why == null ? null : model.deadLetter(v, BadRecordReason.DIMENSION_MISMATCH, why);
        }
        if (bad != null) {
            metrics.deadLettered(model.reason(bad));
            ctx.output(model.deadLetterTag(), bad);
            return;
        }
        float[] result = new float[features.length];
        kernel.apply(features, 0, result, 0, result.length);
        metrics.out(result);
        out.collect(model.result(v, result));
    }
}
