package io.flinkactivations.stream;

import io.flinkactivations.core.ActivationKernel;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The map operator: applies an activation to each record's vector (the softmax family across the
 * vector's own features) through the compute core. Bad records go to {@link Activations#DEAD_LETTERS}.
 * Allocates only the output record.
 */
final class ActivationProcessFunction extends ProcessFunction<FeatureVector, FeatureVector> {
    private static final long serialVersionUID = 1L;

    private final ActivationSpec spec;
    private transient ActivationKernel kernel;
    private transient ActivationMetrics metrics;

    ActivationProcessFunction(ActivationSpec spec) {
        this.spec = spec;
    }

    @Override
    public void open(OpenContext openContext) {
        kernel = Kernels.get().kernel(spec);
        metrics = new ActivationMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(FeatureVector v, Context ctx, Collector<FeatureVector> out) {
        metrics.in();
        if (v.isBad()) {
            metrics.deadLettered(v.badReason());
            ctx.output(Activations.DEAD_LETTERS, v);
            return;
        }
        float[] result = new float[v.features.length];
        kernel.apply(v.features, 0, result, 0, result.length);
        metrics.out(result);
        out.collect(v.withFeatures(result));
    }
}
