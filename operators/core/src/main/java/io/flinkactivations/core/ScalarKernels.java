package io.flinkactivations.core;

import java.util.List;
import java.util.Objects;

/**
 * Plain-Java kernels: the fallback when the Vector API is unavailable, and the reference the vector
 * kernels are tested against. Transcendentals run in double and round once to float.
 */
final class ScalarKernels extends Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {}

    @Override
    ActivationKernel create(ActivationSpec spec) {
        switch (spec.activation().kind()) {
            case SOFTMAX:
                return new Softmax(spec);
            case VECTOR:
                return new VectorNormKernel.Scalar(spec);
            default:
                break;
        }
        return Specializer.instantiate(
                ScalarElementwiseLoop.class, List.of(spec, spec.activation().scalar(spec)));
    }

    @Override
    public int countNonFinite(float[] values, int off, int len) {
        Objects.checkFromIndexSize(off, len, values.length);
        int n = 0;
        for (int i = off, end = off + len; i < end; i++) {
            n += Float.isFinite(values[i]) ? 0 : 1;
        }
        return n;
    }

    @Override
    public String description() {
        return "scalar";
    }

    @Override
    public boolean isVectorized() {
        return false;
    }

    /** softmax, log_softmax and softmin, one strided lane at a time. */
    static final class Softmax extends SoftmaxKernel {
        Softmax(ActivationSpec spec) {
            super(spec);
        }

        @Override
        public void apply(float[] in, int inOff, float[] out, int outOff, int len) {
            Checks.slice(in, inOff, out, outOff, len);
            if (len > 0) {
                math.strided(in, inOff, out, outOff, 1, len);
            }
        }

        @Override
        public void applyAlongDim0(
                float[] in, int inOff, float[] out, int outOff, int rows, int cols) {
            Checks.slice(in, inOff, out, outOff, Checks.batchLength(rows, cols));
            if (alongDim0InChunks(in, inOff, out, outOff, rows, cols)) {
                return;
            }
            for (int j = 0; j < cols && rows > 0; j++) {
                math.strided(in, inOff + j, out, outOff + j, cols, rows);
            }
        }

        @Override
        void columnStats(float[] rows, int off, int n, int cols, float[] maxOut, float[] sumOut) {
            math.columnStats(rows, off, n, cols, 0, cols, maxOut, sumOut);
        }

        @Override
        void normalizeColumns(
                float[] rows,
                int inOff,
                int n,
                int cols,
                float[] max,
                float[] scale,
                float[] out,
                int outOff) {
            math.normalizeColumns(rows, inOff, n, cols, 0, cols, max, scale, out, outOff);
        }
    }
}
