package io.flinkactivations.stream;

import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Makes a windowed softmax's output from a record, its features normalised across its window (a
 * fresh array, the caller's to keep) and the window, e.g. {@code (reading, out, window) -> new
 * Scored(reading.sensor, window.end(), out)}. A record in several sliding windows is made once per
 * window.
 *
 * @param <T> the input record type
 * @param <V> {@code float[]} or {@code double[]}, as the {@link Features}
 * @param <R> the output type
 */
@FunctionalInterface
@PublicEvolving
public interface WindowResultMaker<T, V, R> extends Serializable {
    /**
     * Makes a result.
     *
     * @param record the input record, as it came in
     * @param features its features normalised across the window, a fresh array the result may keep
     * @param window the window: its start, end and count
     * @return the result
     */
    R make(T record, V features, WindowInfo window);
}
