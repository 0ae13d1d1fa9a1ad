package io.flinkactivations.core;

import java.util.Arrays;
import org.apache.flink.annotation.PublicEvolving;

/**
 * running_batch_norm's arithmetic: PyTorch's {@code nn.BatchNorm1d(D, affine=False, momentum=m)}
 * with its running statistics kept per key. Each record is normalised at once in eval mode, (x -
 * running_mean) / sqrt(running_var + eps); each window of the key, when it fires, updates the
 * running statistics as one batch in training mode: running = (1 - f) running + f batch, with the
 * batch's mean and unbiased variance, f = momentum, or 1 / (number of batches so far) when momentum
 * is None (a cumulative average). A window of one record leaves them as they are: PyTorch cannot
 * train on one value per feature. The statistics start as PyTorch's buffers do: mean 0, variance 1.
 *
 * <p>The state is one array, {@code [mean x D, variance x D, batches]}; {@link #update} returns a
 * new one and never writes into the one it is given, so a store may keep it as it is.
 */
@PublicEvolving
public final class RunningBatchNorm {
    private final ActivationSpec spec;
    private final double momentum; // NaN: the cumulative average
    private final double eps;
    // scratch: the output's centre and factor per feature
    private float[] center = new float[0];
    private float[] factor = new float[0];

    /** For a running_batch_norm step; one instance per thread (it keeps scratch arrays). */
    public RunningBatchNorm(ActivationSpec step) {
        if (step.isChain() || step.activation() != Activation.RUNNING_BATCH_NORM) {
            throw new IllegalArgumentException(step + " is not running_batch_norm");
        }
        this.spec = step;
        this.momentum = step.value(0);
        this.eps = step.value(1);
    }

    /** The statistics before any window: mean 0, variance 1, no batches. */
    public static double[] initialState(int dimension) {
        double[] s = new double[2 * dimension + 1];
        Arrays.fill(s, dimension, 2 * dimension, 1.0);
        return s;
    }

    /** How many windows have updated {@code state}. */
    public static long batches(double[] state) {
        return (long) state[state.length - 1];
    }

    /**
     * {@code state} updated by one window, given its statistics (a {@link ColumnStatistics} of this
     * step over the window's records); a new array.
     */
    public double[] update(double[] state, ColumnStatistics window) {
        int d = (state.length - 1) / 2;
        long n = window.count();
        if (window.dimension() != d) {
            throw new IllegalArgumentException(
                    "a window of dimension " + window.dimension() + " cannot update " + d);
        }
        if (n < 2) {
            return state;
        }
        double[] moments = window.state(); // means, then sums of squared deviations
        double[] next = state.clone();
        long batches = batches(state) + 1;
        double f = Double.isNaN(momentum) ? 1.0 / batches : momentum;
        for (int j = 0; j < d; j++) {
            double unbiased = moments[d + j] / (n - 1);
            next[j] = (1 - f) * state[j] + f * moments[j];
            next[d + j] = (1 - f) * state[d + j] + f * unbiased;
        }
        next[2 * d] = batches;
        return next;
    }

    /**
     * Writes the outputs for {@code n} row-major records of {@code d} features, normalised by
     * {@code state}; in place when {@code rows == out} and the offsets are equal.
     */
    public void normalizeRows(
            double[] state, float[] rows, int inOff, int n, int d, float[] out, int outOff) {
        if (state.length != 2 * d + 1) {
            throw new IllegalArgumentException(
                    "running statistics of dimension " + (state.length - 1) / 2 + ", not " + d);
        }
        Checks.slice(rows, inOff, out, outOff, Checks.batchLength(n, d));
        if (center.length != d) {
            center = new float[d];
            factor = new float[d];
        }
        for (int j = 0; j < d; j++) {
            center[j] = (float) state[j];
            factor[j] = (float) (1 / Math.sqrt(state[d + j] + eps));
        }
        for (int r = 0; r < n; r++) {
            int i = inOff + r * d;
            int o = outOff + r * d;
            for (int j = 0; j < d; j++) {
                out[o + j] = (rows[i + j] - center[j]) * factor[j];
            }
        }
    }

    public ActivationSpec spec() {
        return spec;
    }

    @Override
    public String toString() {
        return spec.toString();
    }
}
