package io.flinkactivations.stream;

import org.apache.flink.annotation.PublicEvolving;

/**
 * The event times the operators accept: 1970-01-01 to 9999-12-31 UTC, in epoch milliseconds. Kafka
 * refuses negative timestamps, and window arithmetic (a window's end, its slices) must not
 * overflow; a record outside this range is a dead letter ({@code invalid-timestamp}) in a time
 * window.
 */
@PublicEvolving
public final class EventTime {
    /** The earliest event time: 1970-01-01T00:00:00Z. */
    public static final long MIN = 0L;

    /** The latest event time: 9999-12-31T23:59:59.999Z. */
    public static final long MAX = 253_402_300_799_999L;

    private EventTime() {}

    /** Whether {@code t} can be an event time. */
    public static boolean isValid(long t) {
        return t >= MIN && t <= MAX;
    }
}
