package io.flinkactivations.core;

/**
 * Base of the per-vector normalizations of both implementations: layer_norm, rms_norm and
 * normalize. Each is y = (x - c) * k over the vector, with c and k from sums over it taken in
 * double (or compensated, then double), so long vectors stay exact to float; the implementations
 * differ in how they take the sums and write y. NaN anywhere in a vector makes all of it NaN, as in
 * PyTorch; so does an infinity for layer_norm (inf - inf).
 */
abstract class VectorNormKernel implements ActivationKernel {
    /** normalize's p, by the index of its choice. */
    private static final int P2 = 0;

    private static final int P1 = 1;

    final ActivationSpec spec;
    private final Activation op;
    private final double eps;
    private final int p;

    VectorNormKernel(ActivationSpec spec) {
        this.spec = spec;
        this.op = spec.activation();
        this.eps = spec.value(op == Activation.NORMALIZE ? 1 : 0);
        this.p = op == Activation.NORMALIZE ? (int) spec.value(0) : P2;
    }

    /**
     * One pass over a slice: returns the sum of (x - shift)^2 and writes the sum of (x - shift)
     * into {@code sum[0]}.
     */
    abstract double sumOfSquares(float[] a, int off, int len, float shift, double[] sum);

    /** The sum of x^2 over a slice. */
    abstract double sumOfSquares(float[] a, int off, int len);

    /** The sum of |x| over a slice. */
    abstract double sumOfAbs(float[] a, int off, int len);

    /** The largest |x| of a slice; NaN if it holds one. */
    abstract float maxAbs(float[] a, int off, int len);

    /** out = (in - center) * factor over a slice. */
    abstract void affine(
            float[] in, int inOff, float[] out, int outOff, int len, float center, float factor);

    @Override
    public final void apply(float[] in, int inOff, float[] out, int outOff, int len) {
        Checks.slice(in, inOff, out, outOff, len);
        if (len == 0) {
            return;
        }
        float center = 0f;
        double factor;
        switch (op) {
            case LAYER_NORM -> {
                // one pass, around the first value: in double the shifted sums lose nothing
                // unless that value lies some 1e6 standard deviations from the mean
                float shift = in[inOff];
                double[] sum =
                        new double[1]; // escape analysis removes it (KernelBenchmark -prof gc: 0
                // B/call)
                double squares = sumOfSquares(in, inOff, len, shift, sum);
                double d = sum[0] / len;
                double mean = shift + d;
                center = (float) mean;
                double variance = squares / len - d * d;
                factor = 1 / Math.sqrt(Math.max(variance, 0) + eps); // max keeps NaN
            }
            case RMS_NORM -> factor = 1 / Math.sqrt(sumOfSquares(in, inOff, len) / len + eps);
            default -> {
                double norm =
                        p == P2
                                ? Math.sqrt(sumOfSquares(in, inOff, len))
                                : p == P1 ? sumOfAbs(in, inOff, len) : maxAbs(in, inOff, len);
                factor = 1 / Math.max(norm, eps); // Math.max keeps NaN, as clamp_min does
            }
        }
        affine(in, inOff, out, outOff, len, center, (float) factor);
    }

    /** Each of the {@code rows} records on its own: these ops normalise within a vector. */
    @Override
    public final void applyAlongDim0(
            float[] in, int inOff, float[] out, int outOff, int rows, int cols) {
        Checks.slice(in, inOff, out, outOff, Checks.batchLength(rows, cols));
        for (int r = 0; r < rows; r++) {
            apply(in, inOff + r * cols, out, outOff + r * cols, cols);
        }
    }

    @Override
    public final ActivationSpec spec() {
        return spec;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " " + spec;
    }

    /** The plain-Java form: sums in double. */
    static final class Scalar extends VectorNormKernel {
        Scalar(ActivationSpec spec) {
            super(spec);
        }

        @Override
        double sumOfSquares(float[] a, int off, int len, float shift, double[] sum) {
            double s = 0;
            double s2 = 0;
            for (int i = off, end = off + len; i < end; i++) {
                double d = (double) a[i] - shift;
                s += d;
                s2 += d * d;
            }
            sum[0] = s;
            return s2;
        }

        @Override
        double sumOfSquares(float[] a, int off, int len) {
            double s2 = 0;
            for (int i = off, end = off + len; i < end; i++) {
                double x = a[i];
                s2 += x * x;
            }
            return s2;
        }

        @Override
        double sumOfAbs(float[] a, int off, int len) {
            double s = 0;
            for (int i = off, end = off + len; i < end; i++) {
                s += Math.abs(a[i]);
            }
            return s;
        }

        @Override
        float maxAbs(float[] a, int off, int len) {
            float m = 0f;
            for (int i = off, end = off + len; i < end; i++) {
                m = Math.max(m, Math.abs(a[i]));
            }
            return m;
        }

        @Override
        void affine(
                float[] in,
                int inOff,
                float[] out,
                int outOff,
                int len,
                float center,
                float factor) {
            for (int i = 0; i < len; i++) {
                out[outOff + i] = (in[inOff + i] - center) * factor;
            }
        }
    }
}
