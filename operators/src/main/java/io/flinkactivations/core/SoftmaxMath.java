package io.flinkactivations.core;

/**
 * The softmax family's arithmetic, shared by both implementations: the input transform
 * t = ±x / temperature (softmin negates), max subtraction for stability, and the output form.
 * NaN and infinities come out as PyTorch's: any NaN, or +inf, in the normalised dimension makes all
 * of it NaN (inf - inf); -inf gives 0 (log_softmax: -inf) unless every value is -inf (NaN).
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
    void finish(float[] in, int inOff, float[] out, int outOff, int stride, int n, float max, double sum) {
        if (log) {
            double logSum = Math.log(sum);
            for (int k = 0; k < n; k++) {
                out[outOff + k * stride] = (float) ((transform(in[inOff + k * stride]) - max) - logSum);
            }
        } else {
            double inv = 1 / sum;
            for (int k = 0; k < n; k++) {
                out[outOff + k * stride] = (float) (Math.exp(transform(in[inOff + k * stride]) - max) * inv);
            }
        }
    }
}
