package io.flinkactivations.stream.internal;

import io.flinkactivations.core.ActivationSpec;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * For session windows: when a session fires, its N records form an N x D batch; each feature is
 * normalised across the N records (softmax, log_softmax or softmin along dim 0) and each record
 * gives one output, carrying the session's start, end and count.
 */
@Internal
public final class SoftmaxWindowFunction<IN, OUT>
        extends ProcessWindowFunction<IN, OUT, Object, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final ActivationSpec spec;
    private final RecordModel<IN, OUT, ?> model;
    private transient ActivationMetrics metrics;
    private transient WindowBatch<IN, OUT> batch;

    public SoftmaxWindowFunction(ActivationSpec spec, RecordModel<IN, OUT, ?> model) {
        this.spec = spec;
        this.model = model;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new ActivationMetrics(getRuntimeContext().getMetricGroup());
        batch = new WindowBatch<>(spec, model);
    }

    @Override
    public void process(Object key, Context ctx, Iterable<IN> elements, Collector<OUT> out) {
        batch.clear();
        batch.append(elements);
        if (batch.rows() == 0) {
            return;
        }
        batch.normalizeAndEmit(
                model.resultKey(key), ctx.window().getStart(), ctx.window().getEnd(), metrics, out);
    }
}
