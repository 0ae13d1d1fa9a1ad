package io.flinkactivations.stream;

import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What an activation operator gives: the results, and the dead letters (bad input, late records,
 * dimension mismatches), each record of the input in exactly one of them (a record in several
 * sliding windows gives one result per window).
 */
public final class ActivationResult {
    private final DataStream<FeatureVector> output;
    private final DataStream<FeatureVector> deadLetters;

    ActivationResult(DataStream<FeatureVector> output, DataStream<FeatureVector> deadLetters) {
        this.output = output;
        this.deadLetters = deadLetters;
    }

    public DataStream<FeatureVector> output() {
        return output;
    }

    /** Records that could not be processed, each with {@link FeatureVector#badReason()} set. */
    public DataStream<FeatureVector> deadLetters() {
        return deadLetters;
    }
}
