package io.flinkactivations.stream;

import org.apache.flink.annotation.PublicEvolving;

/**
 * The window a result was normalised in: its records' count and, for a time window, its start
 * (inclusive) and end (exclusive) in epoch milliseconds. A count window has no time bounds: {@link
 * #hasTimeBounds()} is false and start and end are {@code Long.MIN_VALUE}.
 */
@PublicEvolving
public record WindowInfo(long start, long end, int count) {
    /** Whether this is a time window; a count window has no time bounds. */
    public boolean hasTimeBounds() {
        return start != Long.MIN_VALUE;
    }
}
