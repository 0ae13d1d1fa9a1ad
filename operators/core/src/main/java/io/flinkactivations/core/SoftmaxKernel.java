package io.flinkactivations.core;

/** Base of the softmax-family kernels of both implementations. */
abstract class SoftmaxKernel implements ActivationKernel {
    final ActivationSpec spec;
    final SoftmaxMath math;

    SoftmaxKernel(ActivationSpec spec) {
        this.spec = spec;
        this.math = new SoftmaxMath(spec);
    }

    /**
     * For the online form ({@link OnlineSoftmax}): per column of a {@code n x cols} row-major
     * batch, the max of t and the sum of exp(t - max) over the n rows; a column whose max is -inf
     * (all values -inf) gets any sum, which the caller ignores.
     */
    abstract void columnStats(
            float[] rows, int off, int n, int cols, float[] maxOut, float[] sumOut);

    /**
     * For the online form: the outputs of {@code n} rows given each column's max and scale (1/sum,
     * or log(sum) for log_softmax).
     */
    abstract void normalizeColumns(
            float[] rows,
            int inOff,
            int n,
            int cols,
            float[] max,
            float[] scale,
            float[] out,
            int outOff);

    /**
     * Along dim 0 over a batch past the cache: walking each column down all the rows stops
     * streaming from memory there (vector: 2 -> 9 ns per value at 100,000 x 64), so the statistics
     * are taken in cache-sized chunks of rows (the online form), then one row-major pass writes the
     * outputs. Allocates the statistics (12 bytes per column). False, doing nothing, for a batch in
     * cache.
     */
    final boolean alongDim0InChunks(
            float[] in, int inOff, float[] out, int outOff, int rows, int cols) {
        if ((long) rows * cols <= OnlineSoftmax.CACHED_FLOATS || rows < 2) {
            return false;
        }
        OnlineSoftmax state =
                new OnlineSoftmax(this, OnlineSoftmax.filled(cols), new double[cols], 0);
        state.addRows(in, inOff, rows);
        state.normalizeRows(in, inOff, rows, out, outOff);
        return true;
    }

    @Override
    public final ActivationSpec spec() {
        return spec;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " " + spec;
    }
}
