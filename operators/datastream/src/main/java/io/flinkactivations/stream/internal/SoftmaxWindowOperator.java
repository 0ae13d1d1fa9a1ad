package io.flinkactivations.stream.internal;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.stream.EventTime;
import io.flinkactivations.stream.internal.WindowEngine.KeyState;
import io.flinkactivations.stream.internal.WindowEngine.Records;
import io.flinkactivations.stream.internal.WindowEngine.Rejection;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer;
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
 * Windowed softmax on keyed input, for every window kind and any record type the {@link
 * RecordModel} reads: the {@link WindowEngine} over Flink's keyed state (records in a list state
 * per namespace, a slice's statistics beside them, the key's {@link KeyState}) and its event-time
 * timers. Results carry the window's last millisecond as their timestamp (a count window's latest
 * record's, or none); dead letters go to the model's side output as the record came.
 */
@Internal
public final class SoftmaxWindowOperator<IN, OUT, BAD> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<IN, OUT>, Triggerable<Object, Long> {
    private static final long serialVersionUID = 1L;

    private final ActivationSpec spec;
    private final RecordModel<IN, OUT, BAD> model;
    private final WindowSpec window;
    private final long lateness; // ms
    private final long maxAhead; // ms
    private final String lateMessage;

    private transient ActivationMetrics metrics;
    private transient TimestampedCollector<OUT> collector;
    private transient InternalTimerService<Long> timers;
    private transient InternalListState<Object, Long, IN> rows;
    private transient InternalValueState<Object, Long, double[]> sliceStatistics;
    private transient ValueState<KeyState> keyState;
    private transient WindowEngine<IN> engine;
    private transient Object resultKey; // the current key as results take it, per firing

    public SoftmaxWindowOperator(
            ActivationSpec spec,
            WindowSpec window,
            long allowedLatenessMs,
            String lateMessage,
            RecordModel<IN, OUT, BAD> model) {
        this(
                spec,
                window,
                allowedLatenessMs,
                EventTime.DEFAULT_MAX_AHEAD.toMillis(),
                lateMessage,
                model);
    }

    /**
     * As the other constructor, with how far ahead of the processing clock an event time may be
     * ({@code Long.MAX_VALUE}: any).
     */
    public SoftmaxWindowOperator(
            ActivationSpec spec,
            WindowSpec window,
            long allowedLatenessMs,
            long maxAheadMs,
            String lateMessage,
            RecordModel<IN, OUT, BAD> model) {
        this.spec = spec;
        this.model = model;
        this.window = window;
        this.lateness = allowedLatenessMs;
        this.maxAhead = maxAheadMs;
        this.lateMessage = lateMessage;
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
        sliceStatistics =
                (InternalValueState<Object, Long, double[]>)
                        getOrCreateKeyedState(
                                LongSerializer.INSTANCE,
                                new ValueStateDescriptor<>(
                                        "slice-statistics",
                                        DoublePrimitiveArraySerializer.INSTANCE));
        keyState =
                getPartitionedState(
                        new ValueStateDescriptor<>("window-key", Types.POJO(KeyState.class)));
        engine =
                new WindowEngine<>(
                        spec,
                        window,
                        lateness,
                        maxAhead,
                        lateMessage,
                        new State(),
                        new Timers(),
                        new Results());
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        IN v = element.getValue();
        metrics.in();
        BAD bad = model.rejection(v);
        if (bad == null) {
            long ts =
                    model.eventTime(
                            v, element.hasTimestamp() ? element.getTimestamp() : Long.MIN_VALUE);
            resultKey = null;
            Rejection no = engine.add(model.dimension(v), ts, () -> model.forState(v));
            bad = no == null ? null : model.deadLetter(v, no.reason(), no.message());
        }
        if (bad != null) {
            metrics.deadLettered(model.reason(bad));
            output.collect(model.deadLetterTag(), element.replace(bad));
        }
    }

    @Override
    public void onEventTime(InternalTimer<Object, Long> timer) throws Exception {
        resultKey = null;
        engine.onTimer(timer.getNamespace(), timer.getTimestamp());
    }

    @Override
    public void onProcessingTime(InternalTimer<Object, Long> timer) {
        // event time only
    }

    /** The current key's state. */
    private final class State implements WindowEngine.Store<IN> {
        @Override
        public KeyState keyState() throws Exception {
            KeyState s = keyState.value();
            return s == null ? new KeyState() : s;
        }

        @Override
        public void keyState(KeyState state) throws Exception {
            keyState.update(state);
        }

        @Override
        public void add(long namespace, IN record) throws Exception {
            rows.setCurrentNamespace(namespace);
            rows.add(record);
        }

        @Override
        public void read(long[] namespaces, int n, Records<IN> sink) throws Exception {
            for (int i = 0; i < n; i++) {
                rows.setCurrentNamespace(namespaces[i]);
                Iterable<IN> records = rows.get();
                if (records != null) {
                    for (IN r : records) {
                        sink.accept(namespaces[i], r);
                    }
                }
            }
        }

        @Override
        public void clear(long[] namespaces, int n) {
            for (int i = 0; i < n; i++) {
                rows.setCurrentNamespace(namespaces[i]);
                rows.clear();
                clearStatistics(namespaces[i]);
            }
        }

        @Override
        public void move(long from, long to) throws Exception {
            rows.setCurrentNamespace(from);
            Iterable<IN> records = rows.get();
            if (records == null) {
                return;
            }
            List<IN> moved = new ArrayList<>();
            records.forEach(moved::add);
            rows.clear();
            rows.setCurrentNamespace(to);
            rows.addAll(moved);
        }

        @Override
        public double[] statistics(long namespace) throws Exception {
            sliceStatistics.setCurrentNamespace(namespace);
            return sliceStatistics.value();
        }

        @Override
        public void statistics(long namespace, double[] statistics) throws Exception {
            sliceStatistics.setCurrentNamespace(namespace);
            sliceStatistics.update(statistics);
        }

        @Override
        public void clearStatistics(long namespace) {
            sliceStatistics.setCurrentNamespace(namespace);
            sliceStatistics.clear();
        }

        @Override
        public float[] features(IN record) {
            return model.features(record);
        }

        @Override
        public long time(IN record) {
            return model.storedTime(record);
        }
    }

    /** The current key's event-time timers. */
    private final class Timers implements WindowEngine.Timers {
        @Override
        public long watermark() {
            return timers.currentWatermark();
        }

        @Override
        public void register(long namespace, long time) {
            timers.registerEventTimeTimer(namespace, time);
        }

        @Override
        public void delete(long namespace, long time) {
            timers.deleteEventTimeTimer(namespace, time);
        }

        @Override
        public long endOfInput() {
            return Long.MAX_VALUE;
        }
    }

    /** Results out, with the window's last millisecond as their time. */
    private final class Results implements WindowEngine.Output<IN> {
        @Override
        public void result(IN record, float[] features, long start, long end, int count) {
            if (resultKey == null) {
                resultKey = model.resultKey(getCurrentKey());
            }
            if (end == Long.MIN_VALUE) {
                collector.eraseTimestamp();
            } else {
                collector.setAbsoluteTimestamp(end - 1);
            }
            collector.collect(model.windowResult(resultKey, record, features, start, end, count));
        }

        @Override
        public void values(float[] values, int off, int len, int rows) {
            metrics.out(rows, values, off, len);
        }
    }

    @Override
    public String toString() {
        return spec + " over " + window;
    }
}
