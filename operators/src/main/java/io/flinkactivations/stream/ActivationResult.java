package io.flinkactivations.stream;

import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What an activation operator gives: the results, and the dead letters (records without usable
 * features, late records, dimension mismatches), each record of the input in exactly one of them (a
 * record in several sliding windows gives one result per window).
 *
 * @param <OUT> the results
 * @param <BAD> the dead letters: {@link FeatureVector}s with {@link FeatureVector#badReason()} set, or
 *     {@link DeadLetter}s of a user's records
 */
public final class ActivationResult<OUT, BAD> {
    private final DataStream<OUT> output;
    private final DataStream<BAD> deadLetters;

    ActivationResult(DataStream<OUT> output, DataStream<BAD> deadLetters) {
        this.output = output;
        this.deadLetters = deadLetters;
    }

    public DataStream<OUT> output() {
        return output;
    }

    /** Records that could not be processed, each with why. */
    public DataStream<BAD> deadLetters() {
        return deadLetters;
    }
}
