package io.flinkactivations.stream.internal;

import io.flinkactivations.stream.BadRecordReason;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Makes the records Flink's session window operator dropped as late into dead letters, and counts
 * them.
 */
@Internal
public final class LateRecords<IN, BAD> extends RichMapFunction<IN, BAD> {
    private static final long serialVersionUID = 1L;
    private final RecordModel<IN, ?, BAD> model;
    private final String message;
    private transient ActivationMetrics metrics;

    public LateRecords(RecordModel<IN, ?, BAD> model, String message) {
        this.model = model;
        this.message = message;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new ActivationMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public BAD map(IN v) {
        metrics.deadLettered(BadRecordReason.LATE);
        return model.deadLetter(v, BadRecordReason.LATE, message);
    }
}
