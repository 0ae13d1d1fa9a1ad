package io.flinkactivations.stream;

import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The event times the operators accept: 1970-01-01 to 9999-12-31 UTC, in epoch milliseconds. Kafka
 * refuses negative timestamps, and window arithmetic (a window's end, its slices) must not
 * overflow; a record outside this range is a dead letter ({@code invalid-timestamp}) in a time
 * window. So is one too far ahead of the processing clock ({@code future-timestamp}), which {@link
 * #ignoringFuture} keeps out of the watermark.
 */
@PublicEvolving
public final class EventTime {
    /** The earliest event time: 1970-01-01T00:00:00Z. */
    public static final long MIN = 0L;

    /** The latest event time: 9999-12-31T23:59:59.999Z. */
    public static final long MAX = 253_402_300_799_999L;

    /**
     * How far ahead of the processing clock an event time may be in a time window unless set
     * otherwise: one hour, Kafka's own default for timestamps ahead of the broker's clock ({@code
     * message.timestamp.after.max.ms}).
     */
    public static final Duration DEFAULT_MAX_AHEAD = Duration.ofHours(1);

    private EventTime() {}

    /** Whether {@code t} can be an event time. */
    public static boolean isValid(long t) {
        return t >= MIN && t <= MAX;
    }

    /**
     * Whether {@code t} is more than {@code maxAheadMs} ahead of this machine's clock now: such a
     * record must not move time forward (and the window operators dead-letter it, {@code
     * future-timestamp}).
     */
    public static boolean isAhead(long t, long maxAheadMs) {
        return t - maxAheadMs > System.currentTimeMillis();
    }

    /**
     * {@code strategy}, except that a record whose event time is more than {@code maxAhead} ahead
     * of the processing clock does not reach its watermark generator: one producer's bad clock
     * cannot move the watermark to its future and make every record after it late. Old event times
     * (a replay) pass as before. The window builder's {@code maxOutOfOrderness} uses this; wrap
     * your own strategy with it, with the same {@code maxAhead} as the window's {@code
     * maxTimeAhead}.
     */
    public static <T> WatermarkStrategy<T> ignoringFuture(
            WatermarkStrategy<T> strategy, Duration maxAhead) {
        long maxAheadMs = maxAhead.toMillis();
        return new WatermarkStrategy<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public WatermarkGenerator<T> createWatermarkGenerator(
                    WatermarkGeneratorSupplier.Context context) {
                WatermarkGenerator<T> generator = strategy.createWatermarkGenerator(context);
                return new WatermarkGenerator<>() {
                    @Override
                    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
                        if (!isAhead(eventTimestamp, maxAheadMs)) {
                            generator.onEvent(event, eventTimestamp, output);
                        }
                    }

                    @Override
                    public void onPeriodicEmit(WatermarkOutput output) {
                        generator.onPeriodicEmit(output);
                    }
                };
            }

            @Override
            public TimestampAssigner<T> createTimestampAssigner(
                    TimestampAssignerSupplier.Context context) {
                return strategy.createTimestampAssigner(context);
            }
        };
    }
}
