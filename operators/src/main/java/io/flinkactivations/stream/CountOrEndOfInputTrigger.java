package io.flinkactivations.stream;

import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.GlobalWindow;

/**
 * For {@code count(n)} windows: fires and purges every n records, and also when the input ends (the
 * final watermark), so that the last, shorter group is emitted rather than lost. Flink's own count
 * trigger never fires for a partial window.
 */
final class CountOrEndOfInputTrigger extends Trigger<FeatureVector, GlobalWindow> {
    private static final long serialVersionUID = 1L;

    private final long n;
    private final ReducingStateDescriptor<Long> countDescriptor =
            new ReducingStateDescriptor<>("count", Long::sum, Types.LONG);

    CountOrEndOfInputTrigger(long n) {
        this.n = n;
    }

    @Override
    public TriggerResult onElement(FeatureVector element, long timestamp, GlobalWindow window, TriggerContext ctx)
            throws Exception {
        ReducingState<Long> count = ctx.getPartitionedState(countDescriptor);
        if (count.get() == null) {
            ctx.registerEventTimeTimer(window.maxTimestamp()); // the end of input
        }
        count.add(1L);
        if (count.get() >= n) {
            count.clear();
            ctx.deleteEventTimeTimer(window.maxTimestamp());
            return TriggerResult.FIRE_AND_PURGE;
        }
        return TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onEventTime(long time, GlobalWindow window, TriggerContext ctx) throws Exception {
        ReducingState<Long> count = ctx.getPartitionedState(countDescriptor);
        if (time == window.maxTimestamp() && count.get() != null) {
            count.clear();
            return TriggerResult.FIRE_AND_PURGE;
        }
        return TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onProcessingTime(long time, GlobalWindow window, TriggerContext ctx) {
        return TriggerResult.CONTINUE;
    }

    @Override
    public void clear(GlobalWindow window, TriggerContext ctx) throws Exception {
        ctx.getPartitionedState(countDescriptor).clear();
        ctx.deleteEventTimeTimer(window.maxTimestamp());
    }

    @Override
    public String toString() {
        return "CountOrEndOfInputTrigger(" + n + ")";
    }
}
