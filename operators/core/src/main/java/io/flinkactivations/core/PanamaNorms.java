package io.flinkactivations.core;

import static jdk.incubator.vector.VectorOperators.ABS;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.F2D;
import static jdk.incubator.vector.VectorOperators.MAX;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * layer_norm, rms_norm and normalize on the Vector API: sums in double lanes, then the output in
 * one pass of float lanes. Loaded only through {@link PanamaKernels}.
 */
final class PanamaNorms extends VectorNormKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    PanamaNorms(ActivationSpec spec) {
        super(spec);
    }

    @Override
    double sumOfSquares(float[] a, int off, int len, float shift, double[] sum) {
        int bound = S.loopBound(len);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        DoubleVector q0 = DoubleVector.zero(D);
        DoubleVector q1 = DoubleVector.zero(D);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, a, off + i);
            DoubleVector x0 = ((DoubleVector) x.convertShape(F2D, D, 0)).sub(shift);
            DoubleVector x1 = ((DoubleVector) x.convertShape(F2D, D, 1)).sub(shift);
            s0 = s0.add(x0);
            s1 = s1.add(x1);
            q0 = x0.fma(x0, q0);
            q1 = x1.fma(x1, q1);
        }
        double total = s0.add(s1).reduceLanes(ADD);
        double squares = q0.add(q1).reduceLanes(ADD);
        for (; i < len; i++) {
            double d = (double) a[off + i] - shift;
            total += d;
            squares += d * d;
        }
        if (sum != null) {
            sum[0] = total;
        }
        return squares;
    }

    @Override
    double sumOfAbs(float[] a, int off, int len) {
        int bound = S.loopBound(len);
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = DoubleVector.zero(D);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, a, off + i).lanewise(ABS);
            s0 = s0.add((DoubleVector) x.convertShape(F2D, D, 0));
            s1 = s1.add((DoubleVector) x.convertShape(F2D, D, 1));
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
