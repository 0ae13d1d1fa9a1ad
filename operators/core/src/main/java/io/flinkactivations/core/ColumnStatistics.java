package io.flinkactivations.core;

import org.apache.flink.annotation.PublicEvolving;

/**
 * What a step along dim 0 needs to know of a window's records, per feature, in a form that takes
 * records one batch at a time and merges with another part in any order (as slices of sliding
 * windows, session merges and Flink's {@code AggregateFunction#merge} need). {@link #normalizeRows}
 * then gives each record the same output as the batch kernel over all records, within the golden
 * rule.
 *
 * <p>The softmax family keeps a running max and sum of exponentials ({@link OnlineSoftmax});
 * batch_norm the count, mean and sum of squared deviations, merged by Chan's rule; min_max and
 * max_abs the minimum and maximum ({@link ColumnMoments}).
 */
@PublicEvolving
public interface ColumnStatistics {

    /** Empty statistics for {@code step} over records of {@code dimension} features. */
    static ColumnStatistics create(ActivationSpec step, int dimension) {
        return create(Kernels.get(), step, dimension);
    }

    /** Empty statistics on a given implementation. */
    static ColumnStatistics create(Kernels kernels, ActivationSpec step, int dimension) {
        if (!step.isAlongDim0()) {
            throw new IllegalArgumentException(
                    step
                            + " does not run along dim 0; statistics are for softmax, log_softmax,"
                            + " softmin (without groups), batch_norm, min_max and max_abs");
        }
        return step.activation().kind() == Activation.Kind.SOFTMAX
                ? new OnlineSoftmax(kernels, step, dimension)
                : new ColumnMoments(step, dimension);
    }

    /** The step these statistics are for. */
    ActivationSpec spec();

    /** The number of features per record. */
    int dimension();

    /** How many records were added, including through merges. */
    long count();

    /**
     * Adds {@code n} records stored row-major from {@code off} ({@code n x dimension()} values).
     */
    void addRows(float[] rows, int off, int n);

    /**
     * Adds a part of {@code n} records given by its {@link #state()}; the array is only read.
     *
     * @throws IllegalArgumentException when the state is not of this step and dimension
     */
    void merge(double[] partState, long n);

    /**
     * These statistics as a new array (its layout is the step's own), to keep with a slice and
     * {@link #merge} later.
     */
    double[] state();

    /** Forgets all records: back to the empty state, for reuse. */
    void clear();

    /**
     * Writes the outputs for {@code n} row-major records of the batch these statistics have seen;
     * in place when {@code rows == out} and the offsets are equal.
     */
    void normalizeRows(float[] rows, int inOff, int n, float[] out, int outOff);
}
