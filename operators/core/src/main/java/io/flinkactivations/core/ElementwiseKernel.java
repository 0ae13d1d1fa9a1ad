package io.flinkactivations.core;

/** Base of the element-wise kernel templates: along dim 0 is just every value. */
abstract class ElementwiseKernel implements ActivationKernel {

    @Override
    public final void applyAlongDim0(
            float[] in, int inOff, float[] out, int outOff, int rows, int cols) {
        apply(in, inOff, out, outOff, Checks.batchLength(rows, cols));
    }

    @Override
    public String toString() {
        return "element-wise " + spec();
    }
}
