package io.flinkactivations.stream;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.format.BadRecordReason;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.util.OutputTag;

/**
 * Windowed softmax normalization: records are keyed by their Kafka key; the records of one key's
 * window form an N x D batch, normalised across the N records for each feature.
 *
 * <p>Event time is the record's timestamp ({@link FeatureVector#timestamp()}). Give
 * {@link Builder#maxOutOfOrderness} to have the builder assign watermarks, or leave it unset when the
 * input already carries them (e.g. from the Kafka source's watermark strategy). A record that comes
 * after its window closed (past the allowed lateness) is a dead letter with reason {@code late}.
 *
 * <p>Tumbling, sliding and count windows run on {@link SoftmaxWindowOperator} (records stored once,
 * in slices shared by the windows that cover them); session windows on Flink's window operator.
 */
public final class WindowedSoftmax {
    private static final OutputTag<FeatureVector> LATE = new OutputTag<>("late", FeatureVectorTypeInfo.INSTANCE);

    private WindowedSoftmax() {}

    /** Marks records the window dropped as late, and counts them. */
    static final class LateRecords extends RichMapFunction<FeatureVector, FeatureVector> {
        private static final long serialVersionUID = 1L;
        private final String message;
        private transient ActivationMetrics metrics;

        LateRecords(String message) {
            this.message = message;
        }

        @Override
        public void open(OpenContext openContext) {
            metrics = new ActivationMetrics(getRuntimeContext().getMetricGroup());
        }

        @Override
        public FeatureVector map(FeatureVector v) {
            metrics.deadLettered(BadRecordReason.LATE);
            return v.asBad(BadRecordReason.LATE, message);
        }
    }

    /** Settings, checked by {@link #build()} (see {@code sanityCheck}). */
    public static final class Builder {
        private final DataStream<FeatureVector> input;
        private ActivationSpec activation;
        private WindowSpec window;
        private Duration maxOutOfOrderness;
        private Duration allowedLateness = Duration.ZERO;
        private String uidPrefix = "windowed-softmax";

        Builder(DataStream<FeatureVector> input) {
            this.input = Objects.requireNonNull(input, "input");
        }

        /** softmax, log_softmax or softmin, with parameters (e.g. {@code softmax(temperature=2)}). */
        public Builder activation(String spec) {
            return activation(ActivationSpec.parse(spec));
        }

        public Builder activation(ActivationSpec spec) {
            this.activation = spec;
            return this;
        }

        /** {@code tumbling(10s)}, {@code sliding(10s, 1s)}, {@code session(30s)} or {@code count(100)}. */
        public Builder window(String spec) {
            return window(WindowSpec.parse(spec));
        }

        public Builder window(WindowSpec spec) {
            this.window = spec;
            return this;
        }

        /** Assign watermarks here, allowing records to arrive this much out of order. */
        public Builder maxOutOfOrderness(Duration d) {
            this.maxOutOfOrderness = d;
            return this;
        }

        /** Keep windows this long after they fire, re-firing for records that arrive late (default 0). */
        public Builder allowedLateness(Duration d) {
            this.allowedLateness = d;
            return this;
        }

        /** Prefix of the operators' uids (for savepoints), when a job has more than one of these. */
        public Builder uidPrefix(String prefix) {
            this.uidPrefix = prefix;
            return this;
        }

        private void sanityCheck() {
            if (activation == null) {
                throw new IllegalArgumentException("windowed softmax: set the activation (softmax, log_softmax or softmin)");
            }
            if (!activation.activation().isNormalizing()) {
                throw new IllegalArgumentException("windowed softmax: " + activation + " is element-wise, so a window"
                        + " changes nothing; use softmax, log_softmax or softmin, or Activations.map for " + activation);
            }
            if (window == null) {
                throw new IllegalArgumentException("windowed softmax: set the window, e.g. tumbling(10s) or count(100)");
            }
            if (maxOutOfOrderness != null && maxOutOfOrderness.isNegative()) {
                throw new IllegalArgumentException("windowed softmax: maxOutOfOrderness must not be negative, got "
                        + maxOutOfOrderness);
            }
            if (allowedLateness == null || allowedLateness.isNegative()) {
                throw new IllegalArgumentException("windowed softmax: allowedLateness must not be negative, got "
                        + allowedLateness);
            }
            if (!window.isTimeBased() && !allowedLateness.isZero()) {
                throw new IllegalArgumentException("windowed softmax: allowedLateness applies to event-time windows,"
                        + " not to " + window);
            }
        }

        public ActivationResult build() {
            sanityCheck();
            DataStream<FeatureVector> timed = input;
            if (maxOutOfOrderness != null) {
                timed = input.assignTimestampsAndWatermarks(WatermarkStrategy
                                .<FeatureVector>forBoundedOutOfOrderness(maxOutOfOrderness)
                                .withTimestampAssigner((v, t) -> v.timestamp()))
                        .name("event time (max out of orderness " + maxOutOfOrderness + ")")
                        .uid(uidPrefix + "-watermarks");
            }
            String name = activation + " over " + window;
            String lateMessage = "the record arrived after its window closed (" + window
                    + ", allowed lateness " + allowedLateness + ")";
            RecordKey keys = new RecordKey();
            if (window.kind() != WindowSpec.Kind.SESSION) {
                SingleOutputStreamOperator<FeatureVector> out = timed.keyBy(keys)
                        .transform(name, FeatureVectorTypeInfo.INSTANCE, new SoftmaxWindowOperator(
                                activation, window, allowedLateness.toMillis(), lateMessage))
                        .uid(uidPrefix + "-window");
                return new ActivationResult(out, out.getSideOutput(Activations.DEAD_LETTERS));
            }
            // Session windows merge, so they cannot be sliced: Flink's window operator, with the
            // dimension check in front
            SingleOutputStreamOperator<FeatureVector> gated = timed.keyBy(keys)
                    .process(new DimensionGate(), FeatureVectorTypeInfo.INSTANCE)
                    .name("dimension check")
                    .uid(uidPrefix + "-dimension");
            KeyedStream<FeatureVector, String> keyed = DataStreamUtils.reinterpretAsKeyedStream(gated, keys);
            SingleOutputStreamOperator<FeatureVector> out = keyed
                    .window(EventTimeSessionWindows.withGap(window.size()))
                    .allowedLateness(allowedLateness)
                    .sideOutputLateData(LATE)
                    .process(new SoftmaxWindowFunction(activation), FeatureVectorTypeInfo.INSTANCE)
                    .name(name)
                    .uid(uidPrefix + "-window");
            DataStream<FeatureVector> late = out.getSideOutput(LATE)
                    .map(new LateRecords(lateMessage), FeatureVectorTypeInfo.INSTANCE)
                    .name("late records")
                    .uid(uidPrefix + "-late");
            return new ActivationResult(out, gated.getSideOutput(Activations.DEAD_LETTERS).union(late));
        }
    }
}
