package io.flinkactivations.stream.internal;

import io.flinkactivations.core.Kernels;
import io.flinkactivations.stream.BadRecordReason;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The operators' metrics, in Flink's metric system under the group {@code activations}: {@code
 * recordsIn}, {@code recordsOut}, {@code nonFiniteValues} (NaN or infinite outputs) and {@code
 * deadLettered} per {@code reason} (e.g. {@code activations.reason.late.deadLettered}).
 */
@Internal
public final class ActivationMetrics {
    private final Counter recordsIn;
    private final Counter recordsOut;
    private final Counter nonFinite;
    private final Map<BadRecordReason, Counter> deadLettered = new EnumMap<>(BadRecordReason.class);
    private final MetricGroup group;
    private final Kernels kernels = Kernels.get();

    public ActivationMetrics(MetricGroup operatorGroup) {
        this.group = operatorGroup.addGroup("activations");
        this.recordsIn = group.counter("recordsIn");
        this.recordsOut = group.counter("recordsOut");
        this.nonFinite = group.counter("nonFiniteValues");
    }

    public void in() {
        recordsIn.inc();
    }

    /** Counts one output and its non-finite values. */
    public void out(float[] values) {
        out(1, values, 0, values.length);
    }

    /** Counts {@code records} outputs whose values are the {@code len} from {@code off}. */
    public void out(int records, float[] values, int off, int len) {
        recordsOut.inc(records);
        int n = kernels.countNonFinite(values, off, len);
        if (n > 0) {
            nonFinite.inc(n);
        }
    }

    public void deadLettered(BadRecordReason reason) {
        deadLettered
                .computeIfAbsent(
                        reason, r -> group.addGroup("reason", r.code()).counter("deadLettered"))
                .inc();
    }
}
