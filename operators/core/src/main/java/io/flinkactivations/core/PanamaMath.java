package io.flinkactivations.core;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.F2D;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.XOR;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector math the Panama kernels share: the species, fused multiply-add where the CPU has it,
 * min/max/clamp with Java's NaN and signed-zero rules, e^x and e^x - 1 inline. Every method is
 * small and static so that C2 inlines it into the kernel's loop.
 */
final class PanamaMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final VectorSpecies<Integer> I = S.withLanes(int.class);

    // sums in double widen half a vector of floats into a whole vector of doubles: one conversion
    // each, where a whole vector's conversion in two parts measured slower
    static final VectorSpecies<Double> D =
            VectorSpecies.of(double.class, VectorShape.forBitSize(S.vectorBitSize()));
    static final VectorSpecies<Float> H =
            VectorSpecies.of(float.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    static final int HL = H.length();

    /** Half a vector's worth of floats from {@code off}, as a full vector of doubles. */
    static DoubleVector widen(float[] a, int off) {
        return (DoubleVector) FloatVector.fromArray(H, a, off).convertShape(F2D, D, 0);
    }

    /** The sum of {@code len} floats of {@code a} from {@code off}, in double lanes. */
    static double sumInDouble(float[] a, int off, int len) {
        int bound = H.loopBound(len);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        int i = 0;
        for (; i + HL < bound; i += 2 * HL) {
            s0 = s0.add(widen(a, off + i));
            s1 = s1.add(widen(a, off + i + HL));
        }
        for (; i < bound; i += HL) {
            s0 = s0.add(widen(a, off + i));
        }
        double total = s0.add(s1).reduceLanes(ADD);
        for (; i < len; i++) {
            total += a[off + i];
        }
        return total;
    }

    /**
     * Whether C2 compiles the Vector API's {@code fma} to the CPU's fused multiply-add (HotSpot's
     * {@code UseFMA}, on where the CPU has it). Without it the Vector API computes each lane's fma
     * exactly in software, far slower than a multiply and an add, so the kernels multiply and add
     * instead (one more rounding, inside the golden tolerance). Each site writes the choice out,
     * {@code FMA ? a.fma(b, c) : a.mul(b).add(c)}, rather than calling a helper: C2 folds the
     * constant either way, but a helper's inlined calls add enough nodes on JDK 17 that C2 stops
     * inlining inside the ELU family's loop ({@code NodeCountInliningCutoff}), and without FMA a
     * helper for double lanes made layer_norm several times slower.
     */
    static final boolean FMA = VmCapabilities.current().fusedMultiplyAdd();

    private PanamaMath() {}

    /**
     * Whether this JDK's C2 compiles the Vector API's masks into mask registers (AVX-512's k
     * registers, JEP 417, JDK 18) and keeps a vector live across a call unboxed: seen on JDK 25,
     * not on 17 (JDK 18 to 20 take JDK 17's forms). docs/compute.md ("Forms by JDK") names the
     * benchmarks.
     */
    static final boolean MODERN_JIT = Runtime.version().feature() >= 21;

    /**
     * Whether clamps are a compare and a blend, one instruction each: on JDK 21+, and on JDK 17
     * where C2 emits no AVX-512 (there a mask is a vector register on every JDK, and the blend form
     * measured faster). JDK 17 with AVX-512 builds a mask in a k register and moves it to a vector
     * for the blend; there clamps are integer min/max on the raw bits (see {@link #clamp}), else
     * Java's min/max (about six instructions each, to keep NaN and the sign of zero).
     */
    static final boolean BLEND_CLAMPS = MODERN_JIT || !VmCapabilities.current().avx512();

    /**
     * c0 + c1 s + c2 s^2 + c3 s^3 by Horner's rule, one fused multiply-add a step where the CPU has
     * it. Every polynomial of the kernels (GELU's Phi, tanh, log1p's atanh, e^r - 1) takes these
     * rather than writing its steps out: each is a method of its own, so its caller stays below
     * C2's size for inlining a hot callee (FreqInlineSize, 325 bytes of bytecode; past it, a loop
     * boxes every vector), and C2 folds the constant coefficients once it is inlined.
     */
    static FloatVector polynomial(FloatVector s, float c0, float c1, float c2, float c3) {
        FloatVector p = FloatVector.broadcast(S, c3);
        p = (FMA ? p.fma(s, FloatVector.broadcast(S, c2)) : p.mul(s).add(c2));
        p = (FMA ? p.fma(s, FloatVector.broadcast(S, c1)) : p.mul(s).add(c1));
        return (FMA ? p.fma(s, FloatVector.broadcast(S, c0)) : p.mul(s).add(c0));
    }

    /**
     * c0 + c1 s + ... + c4 s^4, as {@link #polynomial(FloatVector, float, float, float, float)}.
     */
    static FloatVector polynomial(FloatVector s, float c0, float c1, float c2, float c3, float c4) {
        FloatVector p = FloatVector.broadcast(S, c4);
        p = (FMA ? p.fma(s, FloatVector.broadcast(S, c3)) : p.mul(s).add(c3));
        p = (FMA ? p.fma(s, FloatVector.broadcast(S, c2)) : p.mul(s).add(c2));
        p = (FMA ? p.fma(s, FloatVector.broadcast(S, c1)) : p.mul(s).add(c1));
        return (FMA ? p.fma(s, FloatVector.broadcast(S, c0)) : p.mul(s).add(c0));
    }

    /**
     * c0 + c1 s + ... + c6 s^6, as {@link #polynomial(FloatVector, float, float, float, float)}.
     */
    static FloatVector polynomial(
            FloatVector s, float c0, float c1, float c2, float c3, float c4, float c5, float c6) {
        FloatVector p = FloatVector.broadcast(S, c6);
        p = (FMA ? p.fma(s, FloatVector.broadcast(S, c5)) : p.mul(s).add(c5));
        p = (FMA ? p.fma(s, FloatVector.broadcast(S, c4)) : p.mul(s).add(c4));
        p = (FMA ? p.fma(s, FloatVector.broadcast(S, c3)) : p.mul(s).add(c3));
        p = (FMA ? p.fma(s, FloatVector.broadcast(S, c2)) : p.mul(s).add(c2));
        p = (FMA ? p.fma(s, FloatVector.broadcast(S, c1)) : p.mul(s).add(c1));
        return (FMA ? p.fma(s, FloatVector.broadcast(S, c0)) : p.mul(s).add(c0));
    }

    /**
     * {@link Math#max(float, float)} of each lane and a bound that is not NaN: NaN stays NaN,
     * max(-0, +0) = +0.
     */
    static FloatVector max(FloatVector x, float bound) {
        return BLEND_CLAMPS ? blendMax(x, bound) : x.lanewise(MAX, bound);
    }

    /** {@link #max} as a compare and a blend. */
    static FloatVector blendMax(FloatVector x, float bound) {
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
        return BLEND_CLAMPS ? blendMin(x, bound) : x.min(bound);
    }

    /** {@link #min} as a compare and a blend. */
    static FloatVector blendMin(FloatVector x, float bound) {
        return Float.floatToRawIntBits(bound) == Integer.MIN_VALUE
                ? x.blend(bound, x.compare(GE, bound))
                : x.blend(bound, x.compare(GT, bound));
    }

    /**
     * min(max(x, lo), hi) per lane, bit for bit as {@link Math#max}/{@link Math#min} give it (NaN
     * stays NaN, payloads aside), for bounds that are not NaN. Without {@link #BLEND_CLAMPS} (JDK
     * 17 with AVX-512), where each float min/max is about six instructions, it works on the raw
     * bits when hi >= +0.0: as signed ints those keep the order of non-negative floats and put
     * every negative float (and -0.0) below +0.0, and as unsigned ints they order negative floats
     * by magnitude, so integer min/max do it (for lo = -hi, one min of |x|), and NaN lanes get
     * their input back.
     */
    static FloatVector clamp(FloatVector x, float lo, float hi) {
        return BLEND_CLAMPS || Float.floatToRawIntBits(hi) < 0
                ? min(max(x, lo), hi)
                : clampOnBits(x, lo, hi);
    }

    /** {@link #clamp} on the raw bits, for hi >= +0.0. */
    static FloatVector clampOnBits(FloatVector x, float lo, float hi) {
        int loBits = Float.floatToRawIntBits(lo);
        int hiBits = Float.floatToRawIntBits(hi);
        IntVector b = x.reinterpretAsInts();
        IntVector abs = b.and(0x7fffffff);
        IntVector c;
        if (loBits >= 0) {
            c = b.max(loBits).min(hiBits);
        } else if (loBits == (hiBits | Integer.MIN_VALUE)) {
            c = abs.min(hiBits).bitwiseBlend(b, IntVector.broadcast(I, Integer.MIN_VALUE));
        } else {
            // lo < 0 <= hi: the signed min bounds the non-negative lanes, an unsigned min (a signed
            // one with the sign bit flipped: no unsigned min on JDK 17) the magnitude of the
            // negative ones
            c =
                    b.min(hiBits)
                            .lanewise(XOR, Integer.MIN_VALUE)
                            .min(loBits ^ Integer.MIN_VALUE)
                            .lanewise(XOR, Integer.MIN_VALUE);
        }
        return c.bitwiseBlend(b, nanLanes(abs)).reinterpretAsFloats();
    }

    // SpecialFunctions.TANH_P and TANH_Q as float constants
    private static final float T0 = (float) SpecialFunctions.TANH_P[0];
    private static final float T1 = (float) SpecialFunctions.TANH_P[1];
    private static final float T2 = (float) SpecialFunctions.TANH_P[2];
    private static final float T3 = (float) SpecialFunctions.TANH_P[3];
    private static final float T4 = (float) SpecialFunctions.TANH_P[4];
    private static final float T5 = (float) SpecialFunctions.TANH_P[5];
    private static final float T6 = (float) SpecialFunctions.TANH_P[6];
    private static final float U1 = (float) SpecialFunctions.TANH_Q[1];
    private static final float U2 = (float) SpecialFunctions.TANH_Q[2];
    private static final float U3 = (float) SpecialFunctions.TANH_Q[3];
    private static final float TANH_LIMIT = SpecialFunctions.TANH_LIMIT;

    /**
     * tanh(x) inline, without the JDK's call ({@code lanewise(TANH)}, which spills every vector
     * live across it): c P(c^2) / Q(c^2) with c = x clamped to the limit ({@link
     * SpecialFunctions#TANH_P}), clamped to [-1, 1]. The fraction passes 1 before the limit, so
     * tanh is exactly +-1 from there on (1 - 0.5 (1 + tanh) is 0 in GELU's tail) and never beyond.
     */
    static FloatVector tanh(FloatVector x) {
        FloatVector c = clamp(x, -TANH_LIMIT, TANH_LIMIT);
        FloatVector s = c.mul(c);
        FloatVector p = polynomial(s, T0, T1, T2, T3, T4, T5, T6);
        return clamp(c.mul(p).div(polynomial(s, 1f, U1, U2, U3)), -1f, 1f);
    }

    // adding MAGIC rounds |v| < 2^22 to an integer, kept in the low bits
    private static final float MAGIC = 0x1.8p23f;
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    private static final float LOG2_E = 1.44269504088896341f;

    /**
     * e^x by the JDK ({@code lanewise(EXP)}, a call into its SVML stubs), for loops that keep no
     * vector live across it. The call clobbers every vector register, so any vector live across it
     * (x, a running sum) is spilled to a stack slot that C2 aligns to 16 bytes only; when the slot
     * straddles a cache line the reload stalls, and the whole loop runs at half speed or full speed
     * depending on the caller's stack depth ({@code StackDepthBenchmark}). So sigmoid and the
     * softmax family's exp passes need nothing after the call but its result, and SiLU and Mish
     * load x from the array again after it ({@link PanamaActivations.VectorFunction}).
     */
    static FloatVector exp(FloatVector x) {
        return x.lanewise(EXP);
    }

    /**
     * log(1 + e^t) for t <= 0 (Softplus and LogSigmoid of -|x|), inline: the JDK's exp and log1p
     * are two calls, each spilling every vector live across it. With u = e^t in (0, 1], log1p(u) =
     * 2 atanh(z), z = u / (2 + u) in [0, 1/3]. NaN stays NaN, -inf gives 1.6e-38 (see {@link
     * #expOfNonPositive}).
     */
    static FloatVector log1pOfExpOfNonPositive(FloatVector t) {
        FloatVector u = expOfNonPositive(t);
        FloatVector z = u.div(u.add(2f));
        // atanh(z) / z for w = z^2 in [0, 1/9], a polynomial of degree 4 in w, relative error
        // 4.5e-9 (minimax by Lawson's iterations; Taylor's 1 + w / 3 + w^2 / 5 ... needs degree 6)
        FloatVector atanhOverZ =
                polynomial(
                        z.mul(z),
                        1f,
                        0.333332082492247f,
                        0.20010756354345682f,
                        0.14001036104613518f,
                        0.14005276565291147f);
        return z.add(z).mul(atanhOverZ);
    }

    private static final float LN2 = 0.693147182f;

    /**
     * e^x - 1 for x <= 0 within 2 ulp, inline on every JDK: its users (the ELU family) keep x live
     * across it, so {@code lanewise(EXPM1)}'s call would spill x (see {@link #exp}). NaN stays NaN,
     * -inf gives -1, -0.0 stays -0.0; lanes above 0 get meaningless values, which the ELU family
     * drops.
     */
    static FloatVector expm1OfNonPositive(FloatVector x) {
        return expOfNonPositive(x, true, false);
    }

    /**
     * e^x for x <= 0 within 2 ulp, inline, as {@link #expm1OfNonPositive} computes it; below -87 it
     * is e^-87 (1.6e-38), which its users (Softplus and LogSigmoid, where it is added to 1) cannot
     * tell from 0. NaN stays NaN.
     */
    static FloatVector expOfNonPositive(FloatVector x) {
        return expOfNonPositive(x, false, false);
    }

    /**
     * {@link #expOfNonPositive}, subnormal results and 0 included, for one more multiplication: the
     * softmax family's e^(t - max) may be either. -inf gives 0.
     */
    static FloatVector expOfNonPositiveDownToZero(FloatVector x) {
        return expOfNonPositive(x, false, true);
    }

    /**
     * e^x - 1 = 2^n (e^r - 1) + (2^n - 1), or e^x = 2^n (e^r - 1) + 2^n, with one polynomial for
     * e^r - 1 on |r| <= ln(2) / 2. One float ln 2 is enough for x <= 0: n ln 2's error in r is
     * scaled by e^x <= 1 in the result.
     */
    /** Below it e^x rounds to 0, and 2^(n + 64) of {@link #expOfBounded} is still normal. */
    private static final float EXP_FLOOR = -110f;

    private static FloatVector expOfNonPositive(
            FloatVector x, boolean minusOne, boolean subnormals) {
        // below -87 e^x - 1 rounds to -1, and 2^n stays a normal float; below -110 e^x rounds to
        // 0, and 2^(n + 64) stays a normal float
        return expOfBounded(max(x, subnormals ? EXP_FLOOR : -87f), minusOne, subnormals);
    }

    /**
     * {@link #expOfNonPositive} of {@code xc} already in [-110, 0] ([-87, 0] without {@code
     * subnormals}), or NaN.
     */
    private static FloatVector expOfBounded(FloatVector xc, boolean minusOne, boolean subnormals) {
        FloatVector t =
                (FMA
                        ? xc.fma(FloatVector.broadcast(S, LOG2_E), FloatVector.broadcast(S, MAGIC))
                        : xc.mul(FloatVector.broadcast(S, LOG2_E))
                                .add(FloatVector.broadcast(S, MAGIC)));
        FloatVector n = t.sub(MAGIC);
        // e^x - 1: at n = +0, +0 * -ln2 = -0.0 keeps the sign of x = -0.0. e^x: ln 2 in two parts
        // (Cody and Waite), since the error of n ln 2 in r is not scaled down there
        FloatVector r =
                (FMA
                        ? n.fma(FloatVector.broadcast(S, minusOne ? -LN2 : -0.693359375f), xc)
                        : n.mul(FloatVector.broadcast(S, minusOne ? -LN2 : -0.693359375f)).add(xc));
        if (!minusOne) {
            r =
                    (FMA
                            ? n.fma(FloatVector.broadcast(S, 2.12194440e-4f), r)
                            : n.mul(FloatVector.broadcast(S, 2.12194440e-4f)).add(r));
        }
        FloatVector p = expm1OfRemainder(r);
        // subnormals: 2^n as 2^(n + 64) 2^-64, which a normal float holds for every n down to
        // -159; the last product is exact unless the result is subnormal, which it rounds to the
        // subnormal spacing
        FloatVector scale = powerOfTwo(t, subnormals ? 64 : 0);
        // e^x - 1: 2^n - 1 as -(1 - 2^n), -0.0 at n = 0, where -0.0 must stay -0.0
        FloatVector addend = minusOne ? FloatVector.broadcast(S, 1f).sub(scale).neg() : scale;
        FloatVector y = (FMA ? scale.fma(p, addend) : scale.mul(p).add(addend));
        return subnormals ? y.mul(0x1p-64f) : y;
    }

    /**
     * Whether sigmoid and SiLU take e^-|x| inline ({@link #sigmoid}) rather than by the JDK's exp
     * call: on JDK 17 with AVX-512 (where {@link #BLEND_CLAMPS} is off), where the inline form
     * measured faster; on JDK 21 and later the call is faster, and so it is on JDK 17 with AVX2
     * (docs/compute.md).
     */
    static final boolean INLINE_SIGMOID = !BLEND_CLAMPS;

    private static final int EXP_FLOOR_BITS = Float.floatToRawIntBits(EXP_FLOOR);

    /**
     * 1 / (1 + e^-x) inline, within 3 ulp, with no mask (JDK 17 builds each in a k register and
     * moves it to a vector, see {@link #BLEND_CLAMPS}): u = e^-|x| for subnormal results and 0 as
     * {@link #expOfNonPositiveDownToZero}, 1 / (1 + u), times u where x is negative (chosen by the
     * sign bit); NaN is put back from x at the end.
     */
    static FloatVector sigmoid(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        // -|x| is x with the sign bit set; as ints such floats grow with their magnitude, so an int
        // min bounds them at -110 (Java's float max is several instructions on JDK 17), NaN too
        FloatVector t = bits.or(Integer.MIN_VALUE).min(EXP_FLOOR_BITS).reinterpretAsFloats();
        FloatVector u = expOfBounded(t, false, true);
        FloatVector r = FloatVector.broadcast(S, 1f).div(u.add(1f));
        return withNaNOf(bits, r.mul(oneOrBySign(u, bits)));
    }

    /** 1 where {@code bits} has its sign bit clear, {@code u} where it is set. */
    private static FloatVector oneOrBySign(FloatVector u, IntVector bits) {
        return IntVector.broadcast(I, Float.floatToRawIntBits(1f))
                .bitwiseBlend(u.reinterpretAsInts(), bits.lanewise(ASHR, 31))
                .reinterpretAsFloats();
    }

    /** {@code y}, with the lanes where {@code bits} is a NaN's that NaN. */
    private static FloatVector withNaNOf(IntVector bits, FloatVector y) {
        return y.reinterpretAsInts()
                .bitwiseBlend(bits, nanLanes(bits.and(0x7fffffff)))
                .reinterpretAsFloats();
    }

    /** All ones in the lanes whose float bits without the sign, {@code abs}, are a NaN's. */
    private static IntVector nanLanes(IntVector abs) {
        return IntVector.broadcast(I, 0x7f800000).sub(abs).lanewise(ASHR, 31);
    }

    /** 2^(n + bias) for n held in the low bits of {@code t}, as MAGIC added to n gives it. */
    private static FloatVector powerOfTwo(FloatVector t, int bias) {
        return t.reinterpretAsInts()
                .sub(MAGIC_BITS - 127 - bias)
                .lanewise(LSHL, 23)
                .reinterpretAsFloats();
    }

    /**
     * e^r - 1 for |r| <= ln(2) / 2, as r (1 + r q(r)), q a minimax polynomial of degree 4 (by
     * Lawson's iterations on |r| (q - q*), in float coefficients: 1.6e-8 |r| at most), two fused
     * multiply-adds fewer than Taylor's to r^8. A method of its own for the reason {@link
     * #polynomial(FloatVector, float, float, float, float)} gives.
     */
    private static FloatVector expm1OfRemainder(FloatVector r) {
        FloatVector q =
                polynomial(
                        r,
                        0.5f,
                        0.1666654348373413f,
                        0.04166628047823906f,
                        0.008366575464606285f,
                        0.0013946439139544964f);
        return r.mul(FMA ? q.fma(r, FloatVector.broadcast(S, 1f)) : q.mul(r).add(1f));
    }
}
