package io.flinkactivations.stream;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.stream.internal.RecordModel;
import io.flinkactivations.stream.internal.SoftmaxWindowOperator;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Windowed normalization along dim 0: records are keyed (a user's record by the {@code
 * KeyedStream}'s key, the Kafka module's {@code FeatureVector} by its Kafka key); the records of
 * one key's window form an N x D batch, normalised across the N records for each feature by the
 * softmax family, batch_norm, min_max or max_abs. Steps of a chain before and after that one run on
 * each record (e.g. {@code layer_norm | batch_norm | gelu}); a grouped softmax among them turns
 * away a record whose dimension its groups do not divide ({@code dimension-mismatch}).
 *
 * <p>Event time is a user record's stream timestamp (from a {@code WatermarkStrategy}'s timestamp
 * assigner). Give {@link Builder#maxOutOfOrderness} to have the builder assign watermarks, or leave
 * it unset when the input already carries them (e.g. from a source's watermark strategy). A record
 * that comes after its window closed (past the allowed lateness) is a dead letter with reason
 * {@code late}; one without features, {@code missing-features} or {@code empty-vector}; one whose
 * dimension differs from its key's first, {@code dimension-mismatch}; a record without a valid
 * event time in a time window, {@code invalid-timestamp}; one whose event time is more than {@link
 * Builder#maxTimeAhead} ahead of the processing clock, {@code future-timestamp}.
 *
 * <p>Every window kind runs on one operator that stores each record once: tumbling and sliding
 * windows in slices shared by the windows that cover them, whose statistics merge; sessions merge
 * as records bridge them; count windows flush their last batch at the end of the input.
 */
@PublicEvolving
public final class WindowedSoftmax {
    private WindowedSoftmax() {}

    /**
     * A builder over any {@link RecordModel}: the entry points for a user's records and for the
     * Kafka module's records call this.
     *
     * @param input the records
     * @param keys the key of a record
     * @param keyType the keys' type
     * @param model how the operators read the records and make results and dead letters
     * @param <IN> the input records
     * @param <OUT> the results
     * @param <BAD> the dead letters
     * @return a builder
     */
    @Internal
    public static <IN, OUT, BAD> Builder<IN, OUT, BAD> builder(
            DataStream<IN> input,
            KeySelector<IN, ?> keys,
            TypeInformation<?> keyType,
            RecordModel<IN, OUT, BAD> model) {
        return new Builder<>(input, keys, keyType, model);
    }

    /**
     * Settings, checked by {@link #build()} (see {@code sanityCheck}).
     *
     * @param <IN> the input records
     * @param <OUT> the results
     * @param <BAD> the dead letters ({@link DeadLetter}s, or the Kafka module's {@code
     *     FeatureVector}s)
     */
    @PublicEvolving
    public static final class Builder<IN, OUT, BAD> {
        private final DataStream<IN> input;
        private final KeySelector<IN, Object> keys;
        private final TypeInformation<Object> keyType;
        private final RecordModel<IN, OUT, BAD> model;
        private ActivationSpec activation;
        private WindowSpec window;
        private Duration maxOutOfOrderness;
        private Duration allowedLateness = Duration.ZERO;
        private Duration maxTimeAhead = EventTime.DEFAULT_MAX_AHEAD;
        private String uidPrefix = "windowed-softmax";

        @SuppressWarnings("unchecked")
        private Builder(
                DataStream<IN> input,
                KeySelector<IN, ?> keys,
                TypeInformation<?> keyType,
                RecordModel<IN, OUT, BAD> model) {
            this.input = Objects.requireNonNull(input, "input");
            this.keys = (KeySelector<IN, Object>) Objects.requireNonNull(keys, "keys");
            this.keyType = (TypeInformation<Object>) Objects.requireNonNull(keyType, "key type");
            this.model = model;
        }

        /**
         * The step along dim 0 (softmax, log_softmax, softmin, batch_norm, min_max or max_abs, with
         * parameters, e.g. {@code softmax(temperature=2)}), or a chain with one such step and
         * per-record steps before or after it (e.g. {@code layer_norm | batch_norm | gelu}).
         */
        public Builder<IN, OUT, BAD> activation(String spec) {
            return activation(ActivationSpec.parse(spec));
        }

        /** The spec, parsed: {@link #activation(String)} without the parsing. */
        public Builder<IN, OUT, BAD> activation(ActivationSpec spec) {
            this.activation = spec;
            return this;
        }

        /**
         * {@code tumbling(10s)}, {@code sliding(10s, 1s)}, {@code session(30s)} or {@code
         * count(100)}.
         */
        public Builder<IN, OUT, BAD> window(String spec) {
            return window(WindowSpec.parse(spec));
        }

        /** The window, parsed: {@link #window(String)} without the parsing. */
        public Builder<IN, OUT, BAD> window(WindowSpec spec) {
            this.window = spec;
            return this;
        }

        /** Assign watermarks here, allowing records to arrive this much out of order. */
        public Builder<IN, OUT, BAD> maxOutOfOrderness(Duration d) {
            this.maxOutOfOrderness = d;
            return this;
        }

        /**
         * Keep windows this long after they fire, re-firing for records that arrive late (default
         * 0).
         */
        public Builder<IN, OUT, BAD> allowedLateness(Duration d) {
            this.allowedLateness = d;
            return this;
        }

        /**
         * How far ahead of the processing clock a record's event time may be in a time window
         * (default {@link EventTime#DEFAULT_MAX_AHEAD}, one hour): a record further ahead is a dead
         * letter ({@code future-timestamp}) and, with {@link #maxOutOfOrderness}, does not move the
         * watermark. With watermarks of your own, wrap their strategy with {@link
         * EventTime#ignoringFuture} and the same bound.
         */
        public Builder<IN, OUT, BAD> maxTimeAhead(Duration d) {
            this.maxTimeAhead = d;
            return this;
        }

        /**
         * Prefix of the operators' uids (for savepoints), when a job has more than one of these.
         */
        public Builder<IN, OUT, BAD> uidPrefix(String prefix) {
            this.uidPrefix = prefix;
            return this;
        }

        private void sanityCheck() {
            if (activation == null) {
                throw new IllegalArgumentException(
                        "windowed softmax: set the activation (softmax, log_softmax, softmin,"
                                + " batch_norm, min_max or max_abs, or a chain with one of them)");
            }
            try {
                activation.checkForWindow();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "windowed softmax: " + e.getMessage() + "; or use Activations.map", e);
            }
            if (window == null) {
                throw new IllegalArgumentException(
                        "windowed softmax: set the window, e.g. tumbling(10s) or count(100)");
            }
            if (maxOutOfOrderness != null && maxOutOfOrderness.isNegative()) {
                throw new IllegalArgumentException(
                        "windowed softmax: maxOutOfOrderness must not be negative, got "
                                + maxOutOfOrderness);
            }
            if (maxTimeAhead == null || maxTimeAhead.isNegative()) {
                throw new IllegalArgumentException(
                        "windowed softmax: maxTimeAhead must not be negative, got " + maxTimeAhead);
            }
            if (allowedLateness == null || allowedLateness.isNegative()) {
                throw new IllegalArgumentException(
                        "windowed softmax: allowedLateness must not be negative, got "
                                + allowedLateness);
            }
            if (!window.isTimeBased() && !allowedLateness.isZero()) {
                throw new IllegalArgumentException(
                        "windowed softmax: allowedLateness applies to event-time windows,"
                                + " not to "
                                + window);
            }
        }

        /**
         * Checks the settings and puts the window operator into the stream.
         *
         * @return the results and the dead letters
         * @throws IllegalArgumentException when a setting is missing or wrong, saying which and why
         */
        public ActivationResult<OUT, BAD> build() {
            sanityCheck();
            DataStream<IN> timed = input;
            if (maxOutOfOrderness != null) {
                RecordModel<IN, OUT, BAD> m = model;
                timed =
                        input.assignTimestampsAndWatermarks(
                                        EventTime.ignoringFuture(
                                                WatermarkStrategy.<IN>forBoundedOutOfOrderness(
                                                                maxOutOfOrderness)
                                                        .withTimestampAssigner(
                                                                (v, t) -> m.eventTime(v, t)),
                                                maxTimeAhead))
                                .name("event time (max out of orderness " + maxOutOfOrderness + ")")
                                .uid(uidPrefix + "-watermarks");
            }
            String name = activation + " over " + window;
            String lateMessage =
                    "the record arrived after its window closed ("
                            + window
                            + ", allowed lateness "
                            + allowedLateness
                            + ")";
            SingleOutputStreamOperator<OUT> out =
                    timed.keyBy(keys, keyType)
                            .transform(
                                    name,
                                    model.outputType(),
                                    new SoftmaxWindowOperator<>(
                                            activation,
                                            window,
                                            allowedLateness.toMillis(),
                                            maxTimeAhead.toMillis(),
                                            lateMessage,
                                            model))
                            .uid(uidPrefix + "-window");
            return new ActivationResult<>(out, out.getSideOutput(model.deadLetterTag()));
        }
    }
}
