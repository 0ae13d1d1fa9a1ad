package io.flinkactivations.stream.internal;

import io.flinkactivations.stream.BadRecordReason;
import java.io.Serializable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * How the operators see their records, so that one map operator and one window operator serve both
 * a user's own type read through {@code Features} and the Kafka module's {@code FeatureVector} (the
 * fast path from Kafka bytes): where a record's features are, how a result and a dead letter are
 * made, what a window keeps of a record.
 *
 * @param <IN> the input records (kept in window state as they are, after {@link #forState})
 * @param <OUT> the results
 * @param <BAD> the dead letters
 */
@Internal
public abstract class RecordModel<IN, OUT, BAD> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The input's type: its serializer keeps records in window state. */
    public abstract TypeInformation<IN> inputType();

    public abstract TypeInformation<OUT> outputType();

    /** The side output the dead letters go to. */
    public abstract OutputTag<BAD> deadLetterTag();

    /**
     * The record as a dead letter when it cannot be processed at all (no features, none), else
     * null.
     */
    public abstract BAD rejection(IN record);

    /**
     * The dead letter of a record that cannot be processed ({@link #rejection}, no features or
     * none), or null; {@code dimension} is its {@link #dimension}.
     */
    public final BAD problem(IN record, int dimension) {
        BAD bad = rejection(record);
        if (bad != null) {
            return bad;
        }
        if (dimension < 0) {
            return deadLetter(
                    record,
                    BadRecordReason.MISSING_FEATURES,
                    "the record has no features (its reader gave null)");
        }
        if (dimension == 0) {
            return deadLetter(
                    record, BadRecordReason.EMPTY_VECTOR, "the record's feature vector is empty");
        }
        return null;
    }

    /**
     * The features of a record {@link #rejection} accepted (null when it has none); not modified.
     */
    public abstract float[] features(IN record);

    /** The number of the record's features, without reading them out; -1 when it has none. */
    public abstract int dimension(IN record);

    /**
     * The record's event time, epoch ms, given its stream record's ({@code Long.MIN_VALUE} when it
     * has none): a {@code FeatureVector} carries its own; a user's record has the stream's.
     */
    public abstract long eventTime(IN record, long streamTimestamp);

    /** What a window keeps of the record until it fires. */
    public IN forState(IN record) {
        return record;
    }

    /**
     * The event time of a record kept in state; {@code Long.MIN_VALUE} when state does not keep it.
     */
    public long storedTime(IN stored) {
        return Long.MIN_VALUE;
    }

    public abstract BAD deadLetter(IN record, BadRecordReason reason, String message);

    /** Why a dead letter is one. */
    public abstract BadRecordReason reason(BAD deadLetter);

    /** The output of the map operator: the record with {@code features} as its result. */
    public abstract OUT result(IN record, float[] features);

    /** The window's key as {@link #windowResult} takes it; computed once per window firing. */
    public Object resultKey(Object key) {
        return key;
    }

    /**
     * The output of a window: the stored record with its normalised {@code features}. {@code key}
     * is the window's {@link #resultKey}; start and end are {@code Long.MIN_VALUE} for a count
     * window whose records do not store their event time.
     */
    public abstract OUT windowResult(
            Object key, IN stored, float[] features, long start, long end, int count);
}
