package io.flinkactivations.stream;

import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Why a record could not be processed; the {@link #code()} is what dead letters and reports carry.
 */
@PublicEvolving
public enum BadRecordReason {
    /** The bytes are not valid UTF-8. */
    INVALID_UTF8,
    /** The value is not parseable JSON. */
    MALFORMED_JSON,
    /** A JSON object without a {@code features} array. */
    MISSING_FEATURES,
    /** {@code features} or one of its elements has the wrong type. */
    WRONG_TYPE,
    /** The feature vector has no elements. */
    EMPTY_VECTOR,
    /** An f32le value whose length is not a multiple of 4. */
    TRUNCATED_F32,
    /** The record exceeds the configured size limit. */
    OVERSIZED,
    /** The vector's dimension differs from the others in its window. */
    DIMENSION_MISMATCH,
    /** The record arrived after its window closed. */
    LATE,
    /**
     * The record's event time (its {@code ts} field, else its Kafka timestamp) is outside
     * 1970-01-01 .. 9999-12-31 UTC, which Kafka and event-time windows cannot take. (Appended last:
     * the serializer writes a reason by its ordinal.)
     */
    INVALID_TIMESTAMP,
    /**
     * The record's event time is further ahead of the processing clock than a time window allows
     * ({@link EventTime#DEFAULT_MAX_AHEAD} unless set): it would move the watermark past every
     * record after it. (Appended last, as the others.)
     */
    FUTURE_TIMESTAMP;

    /** The lower-case code, e.g. {@code malformed-json}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
