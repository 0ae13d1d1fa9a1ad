package io.flinkactivations.core;

import static jdk.incubator.vector.VectorOperators.ABS;
import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.EXPM1;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LOG;
import static jdk.incubator.vector.VectorOperators.LOG1P;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.NEG;
import static jdk.incubator.vector.VectorOperators.TANH;

import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Java Vector API (Panama), at the preferred species width, with a scalar tail.
 * Loaded reflectively by {@link Kernels} only when {@code jdk.incubator.vector} is readable.
 * Nothing flushes subnormals; NaN and infinities follow the same formulas as {@link Activation}.
 */
final class PanamaKernels extends Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    PanamaKernels() {
        if (L < 4) {
            throw new UnsupportedOperationException("the preferred vector holds only " + L + " float(s)");
        }
    }

    @Override
    public String description() {
        return "vector (Java Vector API, " + S.vectorBitSize() + "-bit, " + L + " x float32)";
    }

    @Override
    public boolean isVectorized() {
        return true;
    }

    @Override
    ActivationKernel create(ActivationSpec spec) {
        if (spec.activation().isNormalizing()) {
            return new Softmax(spec);
        }
        VectorFunction f = vectorForm(spec);
        ScalarFunction scalar = spec.activation().scalar(spec);
        return f == null
                ? Specializer.instantiate(ScalarElementwiseLoop.class, List.of(spec, scalar))
                : Specializer.instantiate(VectorElementwiseLoop.class, List.of(spec, f, scalar));
    }

    /** One vector of inputs to one vector of outputs. */
    @FunctionalInterface
    interface VectorFunction {
        FloatVector apply(FloatVector x);
    }

    /** The vector form of an element-wise op, or null to use its scalar definition. */
    static VectorFunction vectorForm(ActivationSpec spec) {
        switch (spec.activation()) {
            case RELU:
                return x -> x.lanewise(MAX, 0f);
            case RELU6:
                return x -> x.lanewise(MAX, 0f).min(6f);
            case LEAKY_RELU: {
                float slope = spec.floatValue(0);
                return x -> x.mul(slope).blend(x, x.compare(GT, 0f));
            }
            case PRELU: {
                float weight = spec.floatValue(0);
                return x -> x.mul(weight).blend(x, x.compare(GT, 0f));
            }
            case RRELU: {
                float slope = Activation.rreluSlope(spec);
                return x -> x.mul(slope).blend(x, x.compare(GE, 0f));
            }
            case ELU: {
                float alpha = spec.floatValue(0);
                return x -> x.lanewise(EXPM1).mul(alpha).blend(x, x.compare(GT, 0f));
            }
            case SELU: {
                float scale = (float) Activation.SELU_SCALE;
                float negScale = (float) (Activation.SELU_SCALE * Activation.SELU_ALPHA);
                return x -> x.lanewise(EXPM1).mul(negScale).blend(x.mul(scale), x.compare(GT, 0f));
            }
            case CELU: {
                float alpha = spec.floatValue(0);
                return x -> x.div(alpha).lanewise(EXPM1).mul(alpha).blend(x, x.compare(GT, 0f));
            }
            case GELU:
                return spec.value(0) == Activation.GELU_TANH ? PanamaKernels::geluTanh : PanamaKernels::geluErf;
            case SIGMOID:
                return x -> FloatVector.broadcast(S, 1f).div(x.lanewise(NEG).lanewise(EXP).add(1f));
            case SILU:
                return x -> x.div(x.lanewise(NEG).lanewise(EXP).add(1f));
            case MISH:
                return PanamaKernels::mish;
            case SOFTPLUS: {
                float beta = spec.floatValue(0);
                float threshold = spec.floatValue(1);
                return x -> {
                    FloatVector scaled = x.mul(beta);
                    return scaled.lanewise(EXP).lanewise(LOG1P).div(beta).blend(x, scaled.compare(GT, threshold));
                };
            }
            case SOFTSIGN:
                return x -> x.div(x.lanewise(ABS).add(1f));
            case TANH:
                return x -> x.lanewise(TANH);
            case TANHSHRINK:
                return x -> x.sub(x.lanewise(TANH));
            case HARDTANH: {
                float min = spec.floatValue(0);
                float max = spec.floatValue(1);
                return x -> x.lanewise(MAX, min).min(max);
            }
            case HARDSIGMOID:
                return x -> x.add(3f).lanewise(MAX, 0f).min(6f).div(6f);
            case HARDSWISH:
                return x -> x.mul(x.add(3f).lanewise(MAX, 0f).min(6f)).div(6f);
            case HARDSHRINK: {
                float lambd = spec.floatValue(0);
                return x -> x.blend(0f, x.compare(GE, -lambd).and(x.compare(LE, lambd)));
            }
            case SOFTSHRINK: {
                float lambd = spec.floatValue(0);
                return x -> {
                    FloatVector r = x.sub(lambd).blend(0f, x.compare(LE, lambd));
                    r = r.blend(x.add(lambd), x.compare(LT, -lambd));
                    return r.blend(x, x.test(IS_NAN));
                };
            }
            case THRESHOLD: {
                float threshold = spec.floatValue(0);
                float value = spec.floatValue(1);
                return x -> x.blend(value, x.compare(LE, threshold));
            }
            case LOGSIGMOID:
                return x -> x.min(0f).sub(x.lanewise(ABS).lanewise(NEG).lanewise(EXP).lanewise(LOG1P));
            default:
                return null;
        }
    }

    /** x tanh(softplus(x)) with tanh(log1p(e)) = n / (n + 2), n = e (e + 2): one exp instead of three calls. */
    private static FloatVector mish(FloatVector x) {
        FloatVector e = x.lanewise(EXP);
        FloatVector n = e.mul(e.add(2f));
        FloatVector r = x.mul(n.div(n.add(2f)));
        return r.blend(x, x.compare(GT, 20f)); // tanh(softplus(x)) == 1f there; avoids inf / inf
    }

    private static FloatVector geluTanh(FloatVector x) {
        FloatVector inner = x.mul(x).mul(0.044715f).add(1f).mul(x).mul((float) Activation.SQRT_2_OVER_PI);
        return x.mul(0.5f).mul(inner.lanewise(TANH).add(1f));
    }

    private static final float[] ERFC_EXPONENT = toFloats(SpecialFunctions.ERFC_EXPONENT);

    /** 0.5 x erfc(-x / sqrt 2), with erfc(a) = exp(-a^2 + R(min(a, 4))) (see {@link SpecialFunctions}). */
    private static FloatVector geluErf(FloatVector x) {
        FloatVector z = x.mul((float) -Activation.SQRT1_2);
        FloatVector a = z.lanewise(ABS);
        FloatVector e = horner(ERFC_EXPONENT, a.min(SpecialFunctions.ERFC_EXPONENT_LIMIT)).sub(a.mul(a)).lanewise(EXP);
        // erfc(z) for z < 0 is 2 - erfc(|z|)
        FloatVector erfc = e.blend(FloatVector.broadcast(S, 2f).sub(e), z.compare(LT, 0f));
        return x.mul(0.5f).mul(erfc);
    }

    private static FloatVector horner(float[] c, FloatVector x) {
        FloatVector r = FloatVector.broadcast(S, c[c.length - 1]);
        for (int i = c.length - 2; i >= 0; i--) {
            r = r.fma(x, FloatVector.broadcast(S, c[i]));
        }
        return r;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /**
     * The softmax family. One vector: a vector max, then a Kahan-compensated vector sum of
     * exp(t - max) (so long vectors stay accurate), then the outputs. Along dim 0: the same three
     * passes over the rows for L features at a time, all in registers; leftover features use the
     * scalar form.
     */
    static final class Softmax extends SoftmaxKernel {
        Softmax(ActivationSpec spec) {
            super(spec);
        }

        private FloatVector load(float[] a, int off) {
            FloatVector v = FloatVector.fromArray(S, a, off);
            if (math.negate) {
                v = v.neg();
            }
            return math.scaled ? v.div(math.temperature) : v;
        }

        @Override
        public void apply(float[] in, int inOff, float[] out, int outOff, int len) {
            Checks.slice(in, inOff, out, outOff, len);
            if (len == 0) {
                return;
            }
            int bound = S.loopBound(len);
            // pass 1: max
            float max = Float.NEGATIVE_INFINITY;
            if (bound > 0) {
                FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (int i = 0; i < bound; i += L) {
                    vmax = vmax.lanewise(MAX, load(in, inOff + i));
                }
                max = vmax.reduceLanes(MAX);
            }
            for (int i = bound; i < len; i++) {
                max = Math.max(max, math.transform(in[inOff + i]));
            }
            // pass 2: sum of exp(t - max); softmax keeps the exponentials in out for pass 3
            FloatVector vsum = FloatVector.zero(S);
            FloatVector comp = FloatVector.zero(S);
            for (int i = 0; i < bound; i += L) {
                FloatVector e = load(in, inOff + i).sub(max).lanewise(EXP);
                if (!math.log) {
                    e.intoArray(out, outOff + i);
                }
                FloatVector y = e.sub(comp);
                FloatVector t = vsum.add(y);
                comp = t.sub(vsum).sub(y);
                vsum = t;
            }
            double sum = 0;
            for (int l = 0; l < L; l++) {
                sum += (double) vsum.lane(l) - comp.lane(l);
            }
            for (int i = bound; i < len; i++) {
                sum += Math.exp(math.transform(in[inOff + i]) - max);
            }
            // pass 3: outputs
            if (math.log) {
                float logSum = (float) Math.log(sum);
                for (int i = 0; i < bound; i += L) {
                    load(in, inOff + i).sub(max).sub(logSum).intoArray(out, outOff + i);
                }
                for (int i = bound; i < len; i++) {
                    out[outOff + i] = (math.transform(in[inOff + i]) - max) - logSum;
                }
            } else {
                float inv = (float) (1 / sum);
                for (int i = 0; i < bound; i += L) {
                    FloatVector.fromArray(S, out, outOff + i).mul(inv).intoArray(out, outOff + i);
                }
                for (int i = bound; i < len; i++) {
                    out[outOff + i] = (float) (Math.exp(math.transform(in[inOff + i]) - max) / sum);
                }
            }
        }

        @Override
        public void applyAlongDim0(float[] in, int inOff, float[] out, int outOff, int rows, int cols) {
            Checks.slice(in, inOff, out, outOff, Checks.batchLength(rows, cols));
            if (rows == 0) {
                return;
            }
            if (alongDim0InChunks(in, inOff, out, outOff, rows, cols)) {
                return;
            }
            int bound = S.loopBound(cols);
            for (int j = 0; j < bound; j += L) {
                FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (int r = 0, i = inOff + j; r < rows; r++, i += cols) {
                    vmax = vmax.lanewise(MAX, load(in, i));
                }
                FloatVector vsum = FloatVector.zero(S);
                FloatVector comp = FloatVector.zero(S);
                for (int r = 0, i = inOff + j; r < rows; r++, i += cols) {
                    FloatVector e = load(in, i).sub(vmax).lanewise(EXP);
                    if (!math.log) {
                        e.intoArray(out, outOff + j + r * cols);
                    }
                    FloatVector y = e.sub(comp);
                    FloatVector t = vsum.add(y);
                    comp = t.sub(vsum).sub(y);
                    vsum = t;
                }
                vsum = vsum.sub(comp);
                if (math.log) {
                    FloatVector logSum = vsum.lanewise(LOG);
                    for (int r = 0; r < rows; r++) {
                        load(in, inOff + j + r * cols).sub(vmax).sub(logSum).intoArray(out, outOff + j + r * cols);
                    }
                } else {
                    FloatVector inv = FloatVector.broadcast(S, 1f).div(vsum);
                    for (int r = 0, o = outOff + j; r < rows; r++, o += cols) {
                        FloatVector.fromArray(S, out, o).mul(inv).intoArray(out, o);
                    }
                }
            }
            for (int j = bound; j < cols; j++) {
                math.strided(in, inOff + j, out, outOff + j, cols, rows);
            }
        }
    
        @Override
        void columnStats(float[] rows, int off, int n, int cols, float[] maxOut, float[] sumOut) {
            int bound = S.loopBound(cols);
            for (int j = 0; j < bound; j += L) {
                FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (int r = 0, i = off + j; r < n; r++, i += cols) {
                    vmax = vmax.lanewise(MAX, load(rows, i));
                }
                // Kahan in float per block; the caller folds blocks together in double
                FloatVector vsum = FloatVector.zero(S);
                FloatVector comp = FloatVector.zero(S);
                for (int r = 0, i = off + j; r < n; r++, i += cols) {
                    FloatVector y = load(rows, i).sub(vmax).lanewise(EXP).sub(comp);
                    FloatVector t = vsum.add(y);
                    comp = t.sub(vsum).sub(y);
                    vsum = t;
                }
                vmax.intoArray(maxOut, j);
                vsum.sub(comp).intoArray(sumOut, j);
            }
            math.columnStats(rows, off, n, cols, bound, cols, maxOut, sumOut);
        }

        @Override
        void normalizeColumns(float[] rows, int inOff, int n, int cols, float[] max, float[] scale,
                              float[] out, int outOff) {
            int bound = S.loopBound(cols);
            for (int r = 0, i = inOff, o = outOff; r < n; r++, i += cols, o += cols) { // row by row: streams
                for (int j = 0; j < bound; j += L) {
                    FloatVector t = load(rows, i + j).sub(FloatVector.fromArray(S, max, j));
                    FloatVector s = FloatVector.fromArray(S, scale, j);
                    (math.log ? t.sub(s) : t.lanewise(EXP).mul(s)).intoArray(out, o + j);
                }
            }
            math.normalizeColumns(rows, inOff, n, cols, bound, cols, max, scale, out, outOff);
        }
    }
}
