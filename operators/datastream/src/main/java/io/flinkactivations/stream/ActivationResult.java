package io.flinkactivations.stream;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What an activation operator gives: the results, and the dead letters (records without usable
 * features, late records, dimension mismatches), each record of the input in exactly one of them (a
 * record in several sliding windows gives one result per window).
 *
 * @param <OUT> the results
 * @param <BAD> the dead letters: {@link DeadLetter}s of a user's records (or the Kafka module's
 *     {@code FeatureVector}s marked bad)
 */
@PublicEvolving
public final class ActivationResult<OUT, BAD> {
    private final DataStream<OUT> output;
    private final DataStream<BAD> deadLetters;

    /** Made by the operators' entry points. */
    @Internal
    public ActivationResult(DataStream<OUT> output, DataStream<BAD> deadLetters) {
        this.output = output;
        this.deadLetters = deadLetters;
    }

    /** The results. */
    public DataStream<OUT> output() {
        return output;
    }

    /** Records that could not be processed, each with why. */
    public DataStream<BAD> deadLetters() {
        return deadLetters;
    }
}
