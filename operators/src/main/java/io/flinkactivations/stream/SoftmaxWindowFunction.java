package io.flinkactivations.stream;

import io.flinkactivations.core.ActivationKernel;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * For session windows: when a session fires, its N records form an N x D batch; each feature is
 * normalised across the N records (softmax, log_softmax or softmin along dim 0) and each record gives
 * one output, carrying the session's start, end and count.
 */
final class SoftmaxWindowFunction extends ProcessWindowFunction<FeatureVector, FeatureVector, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final ActivationSpec spec;
    private transient ActivationKernel kernel;
    private transient ActivationMetrics metrics;
    private transient List<FeatureVector> rows;
    private transient float[] batch;

    SoftmaxWindowFunction(ActivationSpec spec) {
        this.spec = spec;
    }

    @Override
    public void open(OpenContext openContext) {
        kernel = Kernels.get().kernel(spec);
        metrics = new ActivationMetrics(getRuntimeContext().getMetricGroup());
        rows = new ArrayList<>();
        batch = new float[0];
    }

    @Override
    public void process(String key, Context ctx, Iterable<FeatureVector> elements, Collector<FeatureVector> out) {
        rows.clear();
        for (FeatureVector v : elements) {
            rows.add(v);
        }
        int n = rows.size();
        if (n == 0) {
            return;
        }
        int d = rows.get(0).dimension(); // equal for all: DimensionGate sits in front
        if (batch.length < n * d) {
            batch = new float[Math.max(n * d, batch.length * 2)];
        }
        for (int r = 0; r < n; r++) {
            System.arraycopy(rows.get(r).features, 0, batch, r * d, d);
        }
        kernel.applyAlongDim0(batch, 0, batch, 0, n, d);
        long start = ctx.window().getStart();
        long end = ctx.window().getEnd();
        for (int r = 0; r < n; r++) {
            FeatureVector o = rows.get(r).withFeatures(Arrays.copyOfRange(batch, r * d, (r + 1) * d));
            o.windowStart = start;
            o.windowEnd = end;
            o.windowCount = n;
            metrics.out(o.features);
            out.collect(o);
        }
        rows.clear();
    }
}
