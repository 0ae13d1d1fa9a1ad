package io.flinkactivations.core;

import static jdk.incubator.vector.VectorOperators.ABS;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LOG;
import static jdk.incubator.vector.VectorOperators.LOG1P;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.NEG;
import static jdk.incubator.vector.VectorOperators.TANH;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Java Vector API (Panama), at the preferred species width, with a scalar tail.
 * Loaded reflectively by {@link Kernels} only when {@code jdk.incubator.vector} is readable.
 * Nothing flushes subnormals; NaN and infinities follow the same formulas as {@link Activation}.
 */
final class PanamaKernels extends Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);

    PanamaKernels() {
        if (L < 4) {
            throw new UnsupportedOperationException(
                    "the preferred vector holds only " + L + " float(s)");
        }
    }

    @Override
    public String description() {
        return "vector (Java Vector API, "
                + S.vectorBitSize()
                + "-bit, "
                + L
                + " x float32, clamps by "
                + (MODERN_JIT
                        ? "compare and blend, exp inline"
                        : "integer min/max on the float bits, exp inline or by the JDK per op")
                + " on JDK "
                + Runtime.version().feature()
                + ")";
    }

    @Override
    public boolean isVectorized() {
        return true;
    }

    @Override
    public int countNonFinite(float[] values, int off, int len) {
        Objects.checkFromIndexSize(off, len, values.length);
        // all exponent bits set: NaN and the infinities, and nothing else
        IntVector exponent = IntVector.broadcast(I, 0x7f80_0000);
        IntVector count = IntVector.zero(I);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += L) {
            IntVector bits = FloatVector.fromArray(S, values, off + i).reinterpretAsInts();
            // a true lane is -1 as an int: subtracting the mask counts it, without a reduction per
            // vector
            count =
                    count.sub(
                            bits.and(exponent)
                                    .compare(EQ, exponent)
                                    .toVector()
                                    .reinterpretAsInts());
        }
        return count.reduceLanes(ADD)
                + ScalarKernels.INSTANCE.countNonFinite(values, off + i, len - i);
    }

    @Override
    ActivationKernel create(ActivationSpec spec) {
        switch (spec.activation().kind()) {
            case SOFTMAX:
                return new Softmax(spec);
            case VECTOR:
                return new PanamaNorms(spec);
            default:
                break;
        }
        VectorFunction f = vectorForm(spec);
        ScalarFunction scalar = spec.activation().scalar(spec);
        return f == null
                ? Specializer.instantiate(ScalarElementwiseLoop.class, List.of(spec, scalar))
                : Specializer.instantiate(
                        VectorElementwiseLoop.class,
                        List.of(spec, f, scalar, !INLINABLE.contains(spec.activation())));
    }

    /**
     * Ops whose vector form is a few compares, blends and multiplies: their loops stay small enough
     * for C2 to inline into a caller, and they are called directly. Every other op's loop is called
     * out of line (see VectorElementwiseLoop's loopHandle), at the cost of a call per apply (JDK
     * 25, D = 64: relu 9,089 Melem/s direct, 7,643 out of line), not worth paying for these.
     */
    private static final Set<Activation> INLINABLE =
            EnumSet.of(
                    Activation.RELU,
                    Activation.RELU6,
                    Activation.LEAKY_RELU,
                    Activation.PRELU,
                    Activation.RRELU,
                    Activation.THRESHOLD,
                    Activation.HARDTANH,
                    Activation.HARDSIGMOID,
                    Activation.HARDSWISH,
                    Activation.HARDSHRINK,
                    Activation.SOFTSHRINK);

    /** One vector of inputs to one vector of outputs. */
    @FunctionalInterface
    interface VectorFunction {
        FloatVector apply(FloatVector x);
    }

    /** The vector form of an element-wise op, or null to use its scalar definition. */
    static VectorFunction vectorForm(ActivationSpec spec) {
        switch (spec.activation()) {
            case RELU:
                return x -> max(x, 0f);
            case RELU6:
                return x -> clamp(x, 0f, 6f);
            case LEAKY_RELU:
                {
                    float slope = spec.floatValue(0);
                    return x -> x.mul(slope).blend(x, x.compare(GT, 0f));
                }
            case PRELU:
                {
                    float weight = spec.floatValue(0);
                    return x -> x.mul(weight).blend(x, x.compare(GT, 0f));
                }
            case RRELU:
                {
                    float slope = Activation.rreluSlope(spec);
                    return x -> x.mul(slope).blend(x, x.compare(GE, 0f));
                }
            case ELU:
                {
                    float alpha = spec.floatValue(0);
                    return x -> expm1(x).mul(alpha).blend(x, x.compare(GT, 0f));
                }
            case SELU:
                {
                    float scale = (float) Activation.SELU_SCALE;
                    float negScale = (float) (Activation.SELU_SCALE * Activation.SELU_ALPHA);
                    return x -> expm1(x).mul(negScale).blend(x.mul(scale), x.compare(GT, 0f));
                }
            case CELU:
                {
                    float alpha = spec.floatValue(0);
                    return x -> expm1(x.div(alpha)).mul(alpha).blend(x, x.compare(GT, 0f));
                }
            case GELU:
                return spec.value(0) == Activation.GELU_TANH
                        ? PanamaKernels::geluTanh
                        : PanamaKernels::geluErf;
            case SIGMOID:
                return x -> FloatVector.broadcast(S, 1f).div(exp(x.lanewise(NEG)).add(1f));
            case SILU:
                return x -> x.div(inlineExp(x.lanewise(NEG)).add(1f)); // x is live across exp
            case MISH:
                return PanamaKernels::mish;
            case SOFTPLUS:
                {
                    float beta = spec.floatValue(0);
                    float threshold = spec.floatValue(1);
                    return x -> {
                        FloatVector scaled = x.mul(beta);
                        return exp(scaled)
                                .lanewise(LOG1P)
                                .div(beta)
                                .blend(x, scaled.compare(GT, threshold));
                    };
                }
            case SOFTSIGN:
                return x -> x.div(x.lanewise(ABS).add(1f));
            case TANH:
                return x -> x.lanewise(TANH);
            case TANHSHRINK:
                return x -> x.sub(x.lanewise(TANH));
            case HARDTANH:
                {
                    float lower = spec.floatValue(0);
                    float upper = spec.floatValue(1);
                    return x -> clamp(x, lower, upper);
                }
            case HARDSIGMOID:
                return x -> clamp(x.add(3f), 0f, 6f).div(6f);
            case HARDSWISH:
                return x -> x.mul(clamp(x.add(3f), 0f, 6f)).div(6f);
            case HARDSHRINK:
                {
                    float lambd = spec.floatValue(0);
                    return x ->
                            x.blend(
                                    0f,
                                    x.lanewise(ABS).compare(LE, lambd)); // NaN compares false: kept
                }
            case SOFTSHRINK:
                {
                    float lambd = spec.floatValue(0);
                    // x - lambd above, x + lambd below, x - x = +0.0 inside, NaN kept
                    return x -> x.sub(clamp(x, -lambd, lambd));
                }
            case THRESHOLD:
                {
                    float threshold = spec.floatValue(0);
                    float value = spec.floatValue(1);
                    return x -> x.blend(value, x.compare(LE, threshold));
                }
            case LOGSIGMOID:
                return x -> min(x, 0f).sub(exp(x.lanewise(ABS).lanewise(NEG)).lanewise(LOG1P));
            default:
                return null;
        }
    }

    /**
     * Whether this JDK's C2 compiles the Vector API's masks into mask registers (AVX-512's k
     * registers, JEP 417, JDK 18): measured on JDK 25, not on 17. Two choices follow (JDK 18 to 20
     * are untested and take JDK 17's):
     *
     * <ul>
     *   <li>clamps: a compare and a blend, one instruction each, run at the copy bound on JDK 25;
     *       on JDK 17 integer min/max on the raw bits (see {@link #clamp}), else Java's min/max
     *       (about six instructions each, to keep NaN and the sign of zero);
     *   <li>exp: computed inline on JDK 25 (see {@link #exp}); on JDK 17 too in the ops that keep a
     *       vector live across it (GELU, SiLU, Mish, the ELU family: 4-42 % faster there), and the
     *       JDK's {@code lanewise(EXP)} in sigmoid, Softplus and LogSigmoid (24-63 % faster there:
     *       sigmoid keeps nothing live, the other two call the JDK's log1p anyway).
     * </ul>
     */
    private static final boolean MODERN_JIT = Runtime.version().feature() >= 21;

    /**
     * {@link Math#max(float, float)} of each lane and a bound that is not NaN: NaN stays NaN,
     * max(-0, +0) = +0.
     */
    static FloatVector max(FloatVector x, float bound) {
        if (!MODERN_JIT) {
            return x.lanewise(MAX, bound);
        }
        // NaN compares false and is kept; at a bound of +0.0, LE also turns -0.0 into +0.0
        return Float.floatToRawIntBits(bound) == 0
                ? x.blend(bound, x.compare(LE, bound))
                : x.blend(bound, x.compare(LT, bound));
    }

    /**
     * {@link Math#min(float, float)} of each lane and a bound that is not NaN: NaN stays NaN,
     * min(-0, +0) = -0.
     */
    static FloatVector min(FloatVector x, float bound) {
        if (!MODERN_JIT) {
            return x.min(bound);
        }
        return Float.floatToRawIntBits(bound) == Integer.MIN_VALUE
                ? x.blend(bound, x.compare(GE, bound))
                : x.blend(bound, x.compare(GT, bound));
    }

    /**
     * min(max(x, lo), hi) per lane, bit for bit as {@link Math#max}/{@link Math#min} give it (NaN
     * stays NaN, payloads aside), for bounds that are not NaN. On JDK 17, where each float min/max
     * is about six instructions, it works on the raw bits when hi >= +0.0: as signed ints those
     * keep the order of non-negative floats and put every negative float (and -0.0) below +0.0, and
     * as unsigned ints they order negative floats by magnitude, so integer min/max do it (for lo =
     * -hi, one min of |x|), and NaN lanes get their input back. Measured on JDK 17 (D = 1024,
     * million calls/s): ReLU6 7.1 -> 13.1, Hardtanh 7.0 -> 11.2 (the unsigned min) -> 13.5 (|x|),
     * Softshrink 7.7 -> 10.0 -> 11.4, and ELU 1.40 -> 1.70 through exp's argument clamp; on JDK 25
     * the compare-and-blend form is as fast.
     */
    static FloatVector clamp(FloatVector x, float lo, float hi) {
        int loBits = Float.floatToRawIntBits(lo);
        int hiBits = Float.floatToRawIntBits(hi);
        if (MODERN_JIT || hiBits < 0) {
            return min(max(x, lo), hi);
        }
        IntVector b = x.reinterpretAsInts();
        IntVector abs = b.and(0x7fffffff);
        IntVector c;
        if (loBits >= 0) {
            c = b.max(loBits).min(hiBits);
        } else if (loBits
                == (hiBits | Integer.MIN_VALUE)) { // lo = -hi: |x| bounded, the sign put back
            c = abs.min(hiBits).bitwiseBlend(b, IntVector.broadcast(I, Integer.MIN_VALUE));
        } else {
            // lo < 0 <= hi: the signed min bounds the non-negative lanes, an unsigned min (a signed
            // one
            // with the sign bit flipped: no unsigned min on JDK 17) the magnitude of the negative
            // ones
            c =
                    b.min(hiBits)
                            .lanewise(XOR, Integer.MIN_VALUE)
                            .min(loBits ^ Integer.MIN_VALUE)
                            .lanewise(XOR, Integer.MIN_VALUE);
        }
        IntVector nan =
                IntVector.broadcast(I, 0x7f800000)
                        .sub(abs)
                        .lanewise(ASHR, 31); // all ones where NaN
        return c.bitwiseBlend(b, nan).reinterpretAsFloats();
    }

    private static final float MAGIC =
            0x1.8p23f; // adding it rounds |v| < 2^22 to an integer, kept in the low bits
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    private static final float LOG2_E = 1.44269504088896341f;

    /**
     * e^x within 1 ulp, for ops that keep no vector live across it or call the JDK's log1p anyway
     * (sigmoid, Softplus, LogSigmoid): computed inline on JDK 21+ ({@link #MODERN_JIT}), the JDK's
     * on JDK 17; the other ops call {@link #inlineExp} on every JDK. Why not {@code lanewise(EXP)}:
     * that is a call into the JDK's SVML stubs, which clobbers every vector register, so any vector
     * live across it (x, a running sum) is spilled to a stack slot that C2 aligns to 16 bytes only;
     * when the slot straddles a cache line the reload stalls, and the whole loop ran at half speed
     * or full speed depending on the caller's stack depth (measured: 1,420 vs 2,940 Melem/s for
     * SiLU; {@code StackDepthBenchmark}). Inline code has no call. x = n ln 2 + r; 2^n is applied
     * as two halves so that subnormal results and the edge of overflow round once; NaN stays NaN,
     * +inf gives +inf, -inf gives 0.
     */
    static FloatVector exp(FloatVector x) {
        return MODERN_JIT ? inlineExp(x) : x.lanewise(EXP);
    }

    /** The inline form of {@link #exp} on every JDK. */
    static FloatVector inlineExp(FloatVector x) {
        FloatVector xc =
                clamp(x, -104f, 89f); // e^-104 rounds to 0 and e^89 overflows: same results
        FloatVector t = xc.fma(FloatVector.broadcast(S, LOG2_E), FloatVector.broadcast(S, MAGIC));
        FloatVector p = expOfRemainder(xc, t);
        IntVector k = t.reinterpretAsInts().sub(MAGIC_BITS);
        IntVector k1 = k.lanewise(ASHR, 1);
        FloatVector scale1 = k1.add(127).lanewise(LSHL, 23).reinterpretAsFloats();
        FloatVector scale2 = k.sub(k1).add(127).lanewise(LSHL, 23).reinterpretAsFloats();
        return p.mul(scale1).mul(scale2);
    }

    /**
     * {@link #inlineExp} for |x| < 87 only, where 2^n is a normal float: no clamps, 2^n in one
     * step, the same results there. Lanes outside that range get meaningless values; the caller
     * must discard them.
     */
    static FloatVector inlineExpInRange(FloatVector x) {
        FloatVector t = x.fma(FloatVector.broadcast(S, LOG2_E), FloatVector.broadcast(S, MAGIC));
        FloatVector p = expOfRemainder(x, t);
        return p.mul(
                t.reinterpretAsInts()
                        .sub(MAGIC_BITS - 127)
                        .lanewise(LSHL, 23)
                        .reinterpretAsFloats());
    }

    /** e^r for r = x - n ln 2, n = t - MAGIC the integer nearest x / ln 2. */
    private static FloatVector expOfRemainder(FloatVector x, FloatVector t) {
        FloatVector n = t.sub(MAGIC);
        // r = x - n ln 2, with ln 2 in two parts so that n ln 2 is exact enough
        FloatVector r =
                n.fma(FloatVector.broadcast(S, -0.693359375f), x).add(n.mul(2.12194440e-4f));
        // the polynomial written out: C2 leaves a loop over a coefficient array rolled (measured 20
        // % slower)
        return FloatVector.broadcast(S, 1.9875691500e-4f)
                .fma(r, FloatVector.broadcast(S, 1.3981999507e-3f))
                .fma(r, FloatVector.broadcast(S, 8.3334519073e-3f))
                .fma(r, FloatVector.broadcast(S, 4.1665795894e-2f))
                .fma(r, FloatVector.broadcast(S, 1.6666665459e-1f))
                .fma(r, FloatVector.broadcast(S, 5.0000001201e-1f))
                .fma(r.mul(r), r)
                .add(1f); // exp(r) = 1 + r + r^2 P(r) on |r| <= ln(2) / 2 (Cephes expf)
    }

    /**
     * e^x - 1 within 2 ulp, inline on every JDK: its users (the ELU family) keep x live across it,
     * so {@code lanewise(EXPM1)}'s call would spill x (see {@link #exp}). Taylor for |x| < 1/2.
     */
    static FloatVector expm1(FloatVector x) {
        FloatVector small =
                FloatVector.broadcast(S, 1f / 40320)
                        .fma(x, FloatVector.broadcast(S, 1f / 5040))
                        .fma(x, FloatVector.broadcast(S, 1f / 720))
                        .fma(x, FloatVector.broadcast(S, 1f / 120))
                        .fma(x, FloatVector.broadcast(S, 1f / 24))
                        .fma(x, FloatVector.broadcast(S, 1f / 6))
                        .fma(x, FloatVector.broadcast(S, 1f / 2))
                        .fma(x, FloatVector.broadcast(S, 1f))
                        .mul(x); // Taylor to x^8: the error is below x^9 / 9! < 6e-9 |x|
        return inlineExp(x).sub(1f).blend(small, x.lanewise(ABS).compare(LT, 0.5f));
    }

    /**
     * x tanh(softplus(x)) with tanh(log1p(e)) = n / (n + 2), n = e (e + 2): one exp instead of
     * three calls.
     */
    private static FloatVector mish(FloatVector x) {
        FloatVector e = inlineExp(x); // x is live across exp
        FloatVector n = e.mul(e.add(2f));
        FloatVector r = x.mul(n.div(n.add(2f)));
        return r.blend(x, x.compare(GT, 20f)); // tanh(softplus(x)) == 1f there; avoids inf / inf
    }

    private static FloatVector geluTanh(FloatVector x) {
        FloatVector inner =
                x.mul(x).mul(0.044715f).add(1f).mul(x).mul((float) Activation.SQRT_2_OVER_PI);
        return x.mul(0.5f).mul(inner.lanewise(TANH).add(1f));
    }

    // SpecialFunctions.GELU_LOGIT negated, as constants, so that the polynomial can be written out
    // (see exp)
    private static final float G0 = (float) -SpecialFunctions.GELU_LOGIT[0];
    private static final float G1 = (float) -SpecialFunctions.GELU_LOGIT[1];
    private static final float G2 = (float) -SpecialFunctions.GELU_LOGIT[2];
    private static final float G3 = (float) -SpecialFunctions.GELU_LOGIT[3];
    private static final float G4 = (float) -SpecialFunctions.GELU_LOGIT[4];
    private static final float G5 = (float) -SpecialFunctions.GELU_LOGIT[5];
    private static final float G6 = (float) -SpecialFunctions.GELU_LOGIT[6];
    private static final float GELU_LIMIT = SpecialFunctions.GELU_LOGIT_LIMIT;

    /**
     * x Phi(x) = x / (1 + e^{-g(x)}), g = logit(Phi) an odd polynomial ({@link
     * SpecialFunctions#GELU_LOGIT}).
     */
    private static FloatVector geluErf(FloatVector x) {
        FloatVector c =
                min(x, GELU_LIMIT); // the polynomial holds up to the limit; above it the result is
        // x
        FloatVector s = c.mul(c);
        FloatVector minusG =
                FloatVector.broadcast(S, G6)
                        .fma(s, FloatVector.broadcast(S, G5))
                        .fma(s, FloatVector.broadcast(S, G4))
                        .fma(s, FloatVector.broadcast(S, G3))
                        .fma(s, FloatVector.broadcast(S, G2))
                        .fma(s, FloatVector.broadcast(S, G1))
                        .fma(s, FloatVector.broadcast(S, G0))
                        .mul(c);
        // -g is within +-18.4 from -limit up, so exp needs no clamps; below -limit the result is x
        // / inf,
        // so -0.0 (NaN at -inf), and whatever exp made of the polynomial there is dropped. The
        // inline exp
        // on JDK 17 too: with the JDK's, x is spilled across its call (1M floats: 453 vs 1,555
        // Melem/s)
        FloatVector e =
                inlineExpInRange(minusG).blend(Float.POSITIVE_INFINITY, x.compare(LT, -GELU_LIMIT));
        return x.div(e.add(1f));
    }

    /**
     * The softmax family. Its passes keep the JDK's {@code lanewise(EXP)}: measured on JDK 25 as
     * fast as the inline {@link #exp} for softmax and twice as fast for log_softmax. One vector: a
     * vector max, then a Kahan-compensated vector sum of exp(t - max) (so long vectors stay
     * accurate), then the outputs. Along dim 0: the same three passes over the rows for L features
     * at a time, all in registers; leftover features use the scalar form.
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
        public void applyAlongDim0(
                float[] in, int inOff, float[] out, int outOff, int rows, int cols) {
            Checks.slice(in, inOff, out, outOff, Checks.batchLength(rows, cols));
            if (rows == 0) {
                return;
            }
            if (alongDim0InChunks(in, inOff, out, outOff, rows, cols)) {
                return;
            }
            int bound = S.loopBound(cols);
            float[] maxes = bound > 0 && !MODERN_JIT ? new float[L] : null;
            for (int j = 0; j < bound; j += L) {
                FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (int r = 0, i = inOff + j; r < rows; r++, i += cols) {
                    vmax = vmax.lanewise(MAX, load(in, i));
                }
                if (!MODERN_JIT) {
                    vmax.intoArray(maxes, 0); // read back below: see columnStats
                }
                FloatVector vsum = FloatVector.zero(S);
                FloatVector comp = FloatVector.zero(S);
                for (int r = 0, i = inOff + j; r < rows; r++, i += cols) {
                    FloatVector m = MODERN_JIT ? vmax : FloatVector.fromArray(S, maxes, 0);
                    FloatVector e = load(in, i).sub(m).lanewise(EXP);
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
                        load(in, inOff + j + r * cols)
                                .sub(vmax)
                                .sub(logSum)
                                .intoArray(out, outOff + j + r * cols);
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
                // JDK 17 reads the max back from memory in the next loop: its C2 allocated a box
                // for
                // every vmax of the loop above when the vector itself was used across the exp call
                // (320 KB per 1000 x 64 batch, 20-60 % slower); JDK 25's keeps it in a register
                vmax.intoArray(maxOut, j);
                // Kahan in float per block; the caller folds blocks together in double
                FloatVector vsum = FloatVector.zero(S);
                FloatVector comp = FloatVector.zero(S);
                for (int r = 0, i = off + j; r < n; r++, i += cols) {
                    FloatVector m = MODERN_JIT ? vmax : FloatVector.fromArray(S, maxOut, j);
                    FloatVector y = load(rows, i).sub(m).lanewise(EXP).sub(comp);
                    FloatVector t = vsum.add(y);
                    comp = t.sub(vsum).sub(y);
                    vsum = t;
                }
                vsum.sub(comp).intoArray(sumOut, j);
            }
            math.columnStats(rows, off, n, cols, bound, cols, maxOut, sumOut);
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
            int bound = S.loopBound(cols);
            for (int r = 0, i = inOff, o = outOff;
                    r < n;
                    r++, i += cols, o += cols) { // row by row: streams
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
