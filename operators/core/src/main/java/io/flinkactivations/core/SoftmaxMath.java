package io.flinkactivations.core;

/**
 * The softmax family's arithmetic, shared by both implementations: the input transform t = ±x /
 * temperature (softmin negates), max subtraction for stability, and the output form. NaN and
 * infinities come out as PyTorch's: any NaN, or +inf, in the normalised dimension makes all of it
 * NaN (inf - inf); -inf gives 0 (log_softmax: -inf) unless every value is -inf (NaN).
 */
final class SoftmaxMath {
    final boolean negate;
    final boolean log;
    final float temperature;
    final boolean scaled;

    SoftmaxMath(ActivationSpec spec) {
        this.negate = spec.activation().negatesInput();
        this.log = spec.activation().logsOutput();
        this.temperature = spec.temperature();
        this.scaled = temperature != 1f;
    }

    /** The value that is normalised: x, -x (softmin), divided by the temperature. */
    float transform(float x) {
        float t = negate ? -x : x;
        return scaled ? t / temperature : t;
    }

    /**
     * Normalises {@code n} values {@code stride} apart: one vector (stride 1) or one feature of a
     * row-major batch (stride = columns). Sums in double, so N = 100,000 stays exact to float.
     */
    void strided(float[] in, int inOff, float[] out, int outOff, int stride, int n) {
        float max = Float.NEGATIVE_INFINITY;
        int end = inOff + n * stride;
        for (int i = inOff; i < end; i += stride) {
            max = Math.max(max, transform(in[i])); // Math.max keeps NaN
        }
        double sum = 0;
        for (int i = inOff; i < end; i += stride) {
            sum += Math.exp(transform(in[i]) - max);
        }
        finish(in, inOff, out, outOff, stride, n, max, sum);
    }

    /** Writes the outputs given the lane's max and sum of exp(t - max). */
    void finish(
            float[] in,
            int inOff,
            float[] out,
            int outOff,
            int stride,
            int n,
            float max,
            double sum) {
        if (log) {
            double logSum = Math.log(sum);
            for (int k = 0; k < n; k++) {
                out[outOff + k * stride] =
                        (float) ((transform(in[inOff + k * stride]) - max) - logSum);
            }
        } else {
            double inv = 1 / sum;
            for (int k = 0; k < n; k++) {
                out[outOff + k * stride] =
                        (float) (Math.exp(transform(in[inOff + k * stride]) - max) * inv);
            }
        }
    }

    /**
     * Column statistics of a {@code n x cols} row-major batch, for columns [c0, c1): the max of t
     * and the sum of exp(t - max) over the n rows (a column whose max is -inf gets sum 0).
     */
    void columnStats(
            float[] rows,
            int off,
            int n,
            int cols,
            int c0,
            int c1,
            float[] maxOut,
            float[] sumOut) {
        for (int j = c0; j < c1; j++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int r = 0, i = off + j; r < n; r++, i += cols) {
                m = Math.max(m, transform(rows[i]));
            }
            double s = 0;
            if (m != Float.NEGATIVE_INFINITY) {
                for (int r = 0, i = off + j; r < n; r++, i += cols) {
                    s += Math.exp(transform(rows[i]) - m);
                }
            }
            maxOut[j] = m;
            sumOut[j] = (float) s;
        }
    }

    /**
     * Outputs for columns [c0, c1) of {@code n} rows given each column's max and scale: 1/sum for
     * softmax and softmin, log(sum) for log_softmax.
     */
    void normalizeColumns(
            float[] rows,
            int inOff,
            int n,
            int cols,
            int c0,
            int c1,
            float[] max,
            float[] scale,
            float[] out,
            int outOff) {
        for (int r = 0; r < n; r++) {
            int i = inOff + r * cols;
            int o = outOff + r * cols;
            for (int j = c0; j < c1; j++) {
                float t = transform(rows[i + j]) - max[j];
                out[o + j] = log ? t - scale[j] : (float) (Math.exp(t) * scale[j]);
            }
        }
    }
}
