package io.flinkactivations.core;

import org.apache.flink.annotation.PublicEvolving;

/**
 * An activation bound to its parameters and to one implementation (vector or scalar), ready to run
 * over float32 arrays. Kernels are stateless and thread-safe, and allocate nothing per call (but
 * the softmax family along dim 0 over a batch past 256 KiB: 12 bytes per column of statistics).
 *
 * <p>{@code in} and {@code out} may be the same array when {@code inOff == outOff} (in place);
 * other overlaps are not allowed.
 */
@PublicEvolving
public interface ActivationKernel {

    /** The activation and its parameters this kernel runs. */
    ActivationSpec spec();

    /**
     * Applies the activation to one feature vector of {@code len} values: element-wise for most
     * ops; for the softmax family, normalised across the vector's values (dim 0 of a {@code [len]}
     * tensor).
     */
    void apply(float[] in, int inOff, float[] out, int outOff, int len);

    /**
     * Applies the activation to a {@code rows x cols} row-major batch along dim 0: for the softmax
     * family, each column (feature) is normalised across the rows (records). Element-wise ops apply
     * to every value, as PyTorch does for any shape.
     */
    void applyAlongDim0(float[] in, int inOff, float[] out, int outOff, int rows, int cols);

    /** Applies {@link #apply} to a whole array in place. */
    default void applyInPlace(float[] values) {
        apply(values, 0, values, 0, values.length);
    }
}
