package io.flinkactivations.stream;

import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Makes the map operator's output from a record and its activated features (a fresh array, the
 * caller's to keep), e.g. {@code (reading, out) -> reading.withFeatures(out)}.
 *
 * @param <T> the input record type
 * @param <V> {@code float[]} or {@code double[]}, as the {@link Features}
 * @param <R> the output type
 */
@FunctionalInterface
@PublicEvolving
public interface ResultMaker<T, V, R> extends Serializable {
    /**
     * Makes a result.
     *
     * @param record the input record, as it came in
     * @param features its activated features, a fresh array the result may keep
     * @return the result
     */
    R make(T record, V features);
}
