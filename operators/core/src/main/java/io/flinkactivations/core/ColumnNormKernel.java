package io.flinkactivations.core;

/**
 * batch_norm, min_max and max_abs as a kernel: along dim 0 only, by their {@link ColumnMoments}.
 * Allocates the statistics on every call (32 bytes per column). running_batch_norm has this kernel
 * too, but no batch of its own to run on: a window operator runs it ({@link RunningBatchNorm}).
 */
final class ColumnNormKernel implements ActivationKernel {
    private final ActivationSpec spec;

    ColumnNormKernel(ActivationSpec spec) {
        this.spec = spec;
    }

    @Override
    public ActivationSpec spec() {
        return spec;
    }

    /**
     * @throws UnsupportedOperationException always: these ops normalise each feature across a
     *     window's records
     */
    @Override
    public void apply(float[] in, int inOff, float[] out, int outOff, int len) {
        throw new UnsupportedOperationException(
                spec + " normalises each feature across records: call applyAlongDim0");
    }

    @Override
    public void applyAlongDim0(float[] in, int inOff, float[] out, int outOff, int rows, int cols) {
        Checks.slice(in, inOff, out, outOff, Checks.batchLength(rows, cols));
        if (spec.activation().kind() == Activation.Kind.RUNNING) {
            throw new UnsupportedOperationException(
                    spec
                            + " normalises each record by statistics its earlier windows left: run it in"
                            + " a window operator");
        }
        if (rows == 0) {
            return;
        }
        ColumnMoments statistics = new ColumnMoments(spec, cols);
        statistics.addRows(in, inOff, rows);
        statistics.normalizeRows(in, inOff, rows, out, outOff);
    }

    @Override
    public String toString() {
        return "along dim 0 " + spec;
    }
}
