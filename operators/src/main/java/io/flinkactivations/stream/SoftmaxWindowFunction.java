package io.flinkactivations.stream;

import io.flinkactivations.core.ActivationSpec;
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
    private transient ActivationMetrics metrics;
    private transient WindowBatch batch;

    SoftmaxWindowFunction(ActivationSpec spec) {
        this.spec = spec;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new ActivationMetrics(getRuntimeContext().getMetricGroup());
        batch = new WindowBatch(spec);
    }

    @Override
    public void process(String key, Context ctx, Iterable<FeatureVector> elements, Collector<FeatureVector> out) {
        batch.clear();
        batch.append(elements);
        if (batch.rows() == 0) {
            return;
        }
        batch.normalizeAndEmit(RecordKey.bytes(key), ctx.window().getStart(), ctx.window().getEnd(), metrics, out);
    }
}
