package io.flinkactivations.stream.internal;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.OnlineSoftmax;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.stream.BadRecordReason;
import java.util.Arrays;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer;
import org.apache.flink.api.common.typeutils.base.array.FloatPrimitiveArraySerializer;
import org.apache.flink.runtime.state.internal.InternalListState;
import org.apache.flink.runtime.state.internal.InternalValueState;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Windowed softmax for tumbling and sliding event-time windows and for count windows, on keyed
 * input, for any record type the {@link RecordModel} reads.
 *
 * <p>Time windows are cut into <em>slices</em> of gcd(size, slide) (Flink SQL's window aggregations
 * do the same): each record is stored once, in its slice, never copied into each window it belongs
 * to. A sliding window is the run of slices it covers; when it fires, every slice contributes its
 * column (max, sum of exp) statistics, computed once and cached in state, and the merged statistics
 * normalise the window's records. Slices are dropped after the last window that covers them is past
 * its allowed lateness. State keeps only what an output needs ({@link RecordModel#forState}).
 *
 * <p>Semantics follow Flink's window operator with its default event-time trigger: windows are
 * aligned to the epoch, fire when the watermark passes their end, fire again for each record that
 * arrives within the allowed lateness, and a record too late for every window it belongs to is a
 * dead letter ({@code late}). Count windows fire every n records of a key and at the end of the
 * input (the final watermark), so the last, shorter batch is not lost. In front of all of this each
 * key's first good record fixes its dimension; a record of another one is a dead letter ({@code
 * dimension-mismatch}), rejected once rather than once per window.
 */
@Internal
public final class SoftmaxWindowOperator<IN, OUT, BAD> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<IN, OUT>, Triggerable<Object, Long> {
    private static final long serialVersionUID = 1L;

    /**
     * Below this many records per slice on average, a sliding window is normalised as one batch:
     * statistics per slice cost about one batch pass over each column, and merging them an exp per
     * column. (A tumbling window is one slice: its statistics would never be reused.)
     */
    private static final int MIN_ROWS_PER_SLICE = 8;

    /** The namespace of a count window's records (count windows have no slices). */
    private static final long COUNT_BATCH = 0L;

    private final ActivationSpec spec;
    private final RecordModel<IN, OUT, BAD> model;
    private final WindowSpec window;
    private final boolean countWindows;
    private final long size; // ms; count windows: records
    private final long slide; // ms
    private final long sliceSize; // ms: gcd(size, slide)
    private final long lateness; // ms
    private final String lateMessage;

    private transient ActivationMetrics metrics;
    private transient TimestampedCollector<OUT> collector;
    private transient InternalTimerService<Long> timers;
    private transient InternalListState<Object, Long, IN> rows;
    private transient InternalValueState<Object, Long, float[]> sliceMaxes;
    private transient InternalValueState<Object, Long, double[]> sliceSums;
    private transient ValueState<Integer> dimension;
    private transient ValueState<Long>
            lastSlice; // time windows: the slice whose windows have timers
    private transient ValueState<Integer> count; // count windows: records in the open batch
    // reused between firings
    private transient WindowBatch<IN, OUT> batch;
    private transient int[] sliceStarts; // where each non-empty slice's records start in the batch
    private transient long[] sliceEnds;

    public SoftmaxWindowOperator(
            ActivationSpec spec,
            WindowSpec window,
            long allowedLatenessMs,
            String lateMessage,
            RecordModel<IN, OUT, BAD> model) {
        this.spec = spec;
        this.model = model;
        this.window = window;
        this.countWindows = !window.isTimeBased();
        if (countWindows) {
            this.size = window.count();
            this.slide = 0;
            this.sliceSize = 0;
        } else {
            if (window.kind() == WindowSpec.Kind.SESSION) {
                throw new IllegalArgumentException(
                        "session windows merge; they cannot be sliced: " + window);
            }
            this.size = window.size().toMillis();
            this.slide = window.slide().toMillis();
            this.sliceSize = gcd(size, slide);
        }
        this.lateness = allowedLatenessMs;
        this.lateMessage = lateMessage;
    }

    static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open() throws Exception {
        super.open();
        metrics = new ActivationMetrics(getMetricGroup());
        collector = new TimestampedCollector<>(output);
        timers = getInternalTimerService("softmax-window", LongSerializer.INSTANCE, this);
        rows =
                (InternalListState<Object, Long, IN>)
                        getOrCreateKeyedState(
                                LongSerializer.INSTANCE,
                                new ListStateDescriptor<>(
                                        "records",
                                        model.inputType()
                                                .createSerializer(
                                                        getExecutionConfig()
                                                                .getSerializerConfig())));
        sliceMaxes =
                (InternalValueState<Object, Long, float[]>)
                        getOrCreateKeyedState(
                                LongSerializer.INSTANCE,
                                new ValueStateDescriptor<>(
                                        "slice-max", FloatPrimitiveArraySerializer.INSTANCE));
        sliceSums =
                (InternalValueState<Object, Long, double[]>)
                        getOrCreateKeyedState(
                                LongSerializer.INSTANCE,
                                new ValueStateDescriptor<>(
                                        "slice-sum", DoublePrimitiveArraySerializer.INSTANCE));
        dimension = getPartitionedState(new ValueStateDescriptor<>("dimension", Types.INT));
        lastSlice = getPartitionedState(new ValueStateDescriptor<>("timed-slice", Types.LONG));
        count = getPartitionedState(new ValueStateDescriptor<>("count", Types.INT));
        batch = new WindowBatch<>(spec, model);
        sliceStarts = new int[16];
        sliceEnds = new long[16];
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        IN v = element.getValue();
        metrics.in();
        long ts =
                model.eventTime(
                        v, element.hasTimestamp() ? element.getTimestamp() : Long.MIN_VALUE);
        BAD bad = DimensionGate.check(model, dimension, v, ts, !countWindows);
        if (bad != null) {
            deadLetter(bad, element);
        } else if (countWindows) {
            addToCountBatch(v);
        } else {
            addToSlice(v, ts, element);
        }
    }

    private void deadLetter(BAD bad, StreamRecord<IN> element) {
        metrics.deadLettered(model.reason(bad));
        output.collect(model.deadLetterTag(), element.replace(bad));
    }

    private void addToCountBatch(IN v) throws Exception {
        rows.setCurrentNamespace(COUNT_BATCH);
        rows.add(model.forState(v));
        Integer n = count.value();
        int c = n == null ? 1 : n + 1;
        if (c == 1) {
            timers.registerEventTimeTimer(COUNT_BATCH, Long.MAX_VALUE); // the end of input
        }
        if (c >= size) {
            timers.deleteEventTimeTimer(COUNT_BATCH, Long.MAX_VALUE);
            fireCountBatch();
        } else {
            count.update(c);
        }
    }

    private void addToSlice(IN v, long ts, StreamRecord<IN> element) throws Exception {
        long watermark = timers.currentWatermark();
        // the record's windows, aligned as Flink's assigners align them
        long firstEnd = window.firstWindowEnd(ts);
        long lastEnd = window.lastWindowEnd(ts);
        if (lastEnd - 1 + lateness <= watermark) {
            deadLetter(model.deadLetter(v, BadRecordReason.LATE, lateMessage), element);
            return;
        }
        long slice = ts - Math.floorMod(ts, sliceSize) + sliceSize;
        rows.setCurrentNamespace(slice);
        rows.add(model.forState(v));
        if (slice - 1 <= watermark) { // a late record: the slice's cached statistics are stale
            sliceMaxes.setCurrentNamespace(slice);
            sliceMaxes.clear();
            sliceSums.setCurrentNamespace(slice);
            sliceSums.clear();
        }
        Long timed = lastSlice.value();
        boolean fresh = timed == null || timed != slice;
        for (long end = firstEnd; end <= lastEnd; end += slide) {
            if (end - 1 + lateness <= watermark) {
                continue; // that window is gone
            }
            if (end - 1 <= watermark) { // fired already, within the allowed lateness: fire again
                timers.registerEventTimeTimer(end, end - 1 + lateness);
                fireTimeWindow(end);
            } else if (fresh) {
                timers.registerEventTimeTimer(end, end - 1);
                if (lateness > 0) {
                    timers.registerEventTimeTimer(end, end - 1 + lateness);
                }
            }
        }
        if (fresh) {
            lastSlice.update(slice);
        }
    }

    @Override
    public void onEventTime(InternalTimer<Object, Long> timer) throws Exception {
        long end = timer.getNamespace();
        if (countWindows) {
            fireCountBatch();
            return;
        }
        if (timer.getTimestamp() == end - 1) {
            fireTimeWindow(end);
        }
        if (timer.getTimestamp() == end - 1 + lateness) {
            // no later window covers these slices
            for (long slice = end - size + sliceSize;
                    slice <= end - size + slide;
                    slice += sliceSize) {
                rows.setCurrentNamespace(slice);
                rows.clear();
                sliceMaxes.setCurrentNamespace(slice);
                sliceMaxes.clear();
                sliceSums.setCurrentNamespace(slice);
                sliceSums.clear();
            }
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<Object, Long> timer) {
        // event time only
    }

    private void fireCountBatch() throws Exception {
        rows.setCurrentNamespace(COUNT_BATCH);
        batch.clear();
        Iterable<IN> records = rows.get();
        if (records != null) {
            batch.append(records);
        }
        rows.clear();
        count.clear();
        if (batch.rows() == 0) {
            return;
        }
        Object key = model.resultKey(getCurrentKey());
        long maxTs = batch.maxTimestamp();
        if (maxTs == Long.MIN_VALUE) { // records kept without their event time: no time bounds
            collector.eraseTimestamp();
            batch.normalizeAndEmit(key, Long.MIN_VALUE, Long.MIN_VALUE, metrics, collector);
            return;
        }
        collector.setAbsoluteTimestamp(maxTs);
        batch.normalizeAndEmit(key, batch.minTimestamp(), maxTs + 1, metrics, collector);
    }

    /**
     * Fires the time window that ends at {@code end}: the run of slices it covers. A sliding window
     * is normalised by its slices' statistics, each computed once and cached; one whose slices hold
     * a few records each, and every tumbling window, as one batch.
     */
    private void fireTimeWindow(long end) throws Exception {
        batch.clear();
        int slices = 0;
        for (long slice = end - size + sliceSize; slice <= end; slice += sliceSize) {
            rows.setCurrentNamespace(slice);
            Iterable<IN> sliceRows = rows.get();
            int first = batch.rows();
            if (sliceRows != null) {
                batch.append(sliceRows);
            }
            if (batch.rows() > first) {
                if (slices == sliceStarts.length) {
                    sliceStarts = Arrays.copyOf(sliceStarts, 2 * slices);
                    sliceEnds = Arrays.copyOf(sliceEnds, 2 * slices);
                }
                sliceStarts[slices] = first;
                sliceEnds[slices++] = slice;
            }
        }
        int n = batch.rows();
        if (n == 0) {
            return;
        }
        collector.setAbsoluteTimestamp(end - 1);
        Object key = model.resultKey(getCurrentKey());
        if (slices == 1 || n < MIN_ROWS_PER_SLICE * slices) {
            batch.normalizeAndEmit(key, end - size, end, metrics, collector);
            return;
        }
        OnlineSoftmax total = batch.emptyStatistics();
        for (int i = 0; i < slices; i++) {
            int first = sliceStarts[i];
            int count = (i + 1 < slices ? sliceStarts[i + 1] : n) - first;
            addSliceStatistics(sliceEnds[i], first, count, total);
        }
        batch.emitNormalized(total, key, end - size, end, metrics, collector);
    }

    /**
     * Adds a slice's statistics to {@code total}: cached in state, else computed from its rows and
     * cached.
     */
    private void addSliceStatistics(long slice, int first, int n, OnlineSoftmax total)
            throws Exception {
        sliceMaxes.setCurrentNamespace(slice);
        sliceSums.setCurrentNamespace(slice);
        float[] maxes = sliceMaxes.value();
        double[] sums = sliceSums.value();
        if (maxes == null || sums == null) {
            // a fresh state per slice: heap state keeps the arrays themselves, so they must not be
            // reused
            OnlineSoftmax part = new OnlineSoftmax(spec, batch.dimension());
            batch.addStatistics(first, n, part);
            maxes = part.maxes();
            sums = part.sums();
            sliceMaxes.update(maxes);
            sliceSums.update(sums);
        }
        total.merge(maxes, sums, n);
    }

    @Override
    public String toString() {
        return spec + " over " + window;
    }
}
