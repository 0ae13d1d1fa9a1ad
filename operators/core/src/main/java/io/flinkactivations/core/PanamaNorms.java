package io.flinkactivations.core;

import static io.flinkactivations.core.PanamaMath.D;
import static io.flinkactivations.core.PanamaMath.FMA;
import static io.flinkactivations.core.PanamaMath.H;
import static io.flinkactivations.core.PanamaMath.HL;
import static io.flinkactivations.core.PanamaMath.L;
import static io.flinkactivations.core.PanamaMath.S;
import static io.flinkactivations.core.PanamaMath.widen;
import static jdk.incubator.vector.VectorOperators.ABS;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.F2D;
import static jdk.incubator.vector.VectorOperators.MAX;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * layer_norm, rms_norm and normalize on the Vector API: sums in double lanes (the squares of
 * rms_norm and normalize in float lanes a block at a time, then in double), then the output in one
 * pass of float lanes. Loaded only through {@link PanamaKernels}.
 */
final class PanamaNorms extends VectorNormKernel {
    PanamaNorms(ActivationSpec spec) {
        super(spec);
    }

    @Override
    double sumOfSquares(float[] a, int off, int len, float shift, double[] sum) {
        int bound = H.loopBound(len);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        DoubleVector q0 = DoubleVector.zero(D);
        DoubleVector q1 = DoubleVector.zero(D);
        int i = 0;
        for (; i + HL < bound; i += 2 * HL) {
            DoubleVector x0 = widen(a, off + i).sub(shift);
            DoubleVector x1 = widen(a, off + i + HL).sub(shift);
            s0 = s0.add(x0);
            s1 = s1.add(x1);
            q0 = FMA ? x0.fma(x0, q0) : x0.mul(x0).add(q0);
            q1 = FMA ? x1.fma(x1, q1) : x1.mul(x1).add(q1);
        }
        for (; i < bound; i += HL) {
            DoubleVector x0 = widen(a, off + i).sub(shift);
            s0 = s0.add(x0);
            q0 = FMA ? x0.fma(x0, q0) : x0.mul(x0).add(q0);
        }
        double total = s0.add(s1).reduceLanes(ADD);
        double squares = q0.add(q1).reduceLanes(ADD);
        for (; i < len; i++) {
            double d = (double) a[off + i] - shift;
            total += d;
            squares += d * d;
        }
        sum[0] = total;
        return squares;
    }

    /**
     * The sum of x^2: in float lanes four vectors at a time (two chains of fused multiply-adds),
     * each block's lanes then added into double lanes, so the error stays within a few float
     * roundings whatever the length. Where float squares would overflow, or fall below float's
     * normal range, the sum is taken again in double lanes.
     */
    @Override
    double sumOfSquares(float[] a, int off, int len) {
        int bound = S.loopBound(len);
        DoubleVector d0 = DoubleVector.zero(D);
        DoubleVector d1 = DoubleVector.zero(D);
        int i = 0;
        for (; i + 4 * L <= bound; i += 4 * L) {
            FloatVector x0 = FloatVector.fromArray(S, a, off + i);
            FloatVector x1 = FloatVector.fromArray(S, a, off + i + L);
            FloatVector x2 = FloatVector.fromArray(S, a, off + i + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, a, off + i + 3 * L);
            FloatVector q =
                    FMA
                            ? x2.fma(x2, x0.mul(x0)).add(x3.fma(x3, x1.mul(x1)))
                            : x0.mul(x0).add(x2.mul(x2)).add(x1.mul(x1).add(x3.mul(x3)));
            d0 = d0.add((DoubleVector) q.convertShape(F2D, D, 0));
            d1 = d1.add((DoubleVector) q.convertShape(F2D, D, 1));
        }
        double squares = d0.add(d1).reduceLanes(ADD);
        for (; i < len; i++) {
            double x = a[off + i];
            squares += x * x;
        }
        if (!(squares >= len * 0x1p-100) || Double.isInfinite(squares)) {
            return doubleSumOfSquares(a, off, len); // extreme values, or a NaN
        }
        return squares;
    }

    private static double doubleSumOfSquares(float[] a, int off, int len) {
        int bound = H.loopBound(len);
        DoubleVector q0 = DoubleVector.zero(D);
        DoubleVector q1 = DoubleVector.zero(D);
        int i = 0;
        for (; i + HL < bound; i += 2 * HL) {
            DoubleVector x0 = widen(a, off + i);
            DoubleVector x1 = widen(a, off + i + HL);
            q0 = FMA ? x0.fma(x0, q0) : x0.mul(x0).add(q0);
            q1 = FMA ? x1.fma(x1, q1) : x1.mul(x1).add(q1);
        }
        for (; i < bound; i += HL) {
            DoubleVector x0 = widen(a, off + i);
            q0 = FMA ? x0.fma(x0, q0) : x0.mul(x0).add(q0);
        }
        double squares = q0.add(q1).reduceLanes(ADD);
        for (; i < len; i++) {
            double x = a[off + i];
            squares += x * x;
        }
        return squares;
    }

    @Override
    double sumOfAbs(float[] a, int off, int len) {
        int bound = H.loopBound(len);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        int i = 0;
        for (; i + HL < bound; i += 2 * HL) {
            s0 = s0.add(widen(a, off + i).lanewise(ABS));
            s1 = s1.add(widen(a, off + i + HL).lanewise(ABS));
        }
        for (; i < bound; i += HL) {
            s0 = s0.add(widen(a, off + i).lanewise(ABS));
        }
        double total = s0.add(s1).reduceLanes(ADD);
        for (; i < len; i++) {
            total += Math.abs(a[off + i]);
        }
        return total;
    }

    @Override
    float maxAbs(float[] a, int off, int len) {
        int bound = S.loopBound(len);
        FloatVector max = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += L) {
            max = max.lanewise(MAX, FloatVector.fromArray(S, a, off + i).lanewise(ABS));
        }
        float m = max.reduceLanes(MAX);
        for (; i < len; i++) {
            m = Math.max(m, Math.abs(a[off + i]));
        }
        return m;
    }

    @Override
    void affine(
            float[] in, int inOff, float[] out, int outOff, int len, float center, float factor) {
        int bound = S.loopBound(len);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, in, inOff + i)
                    .sub(center)
                    .mul(factor)
                    .intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            out[outOff + i] = (in[inOff + i] - center) * factor;
        }
    }
}
