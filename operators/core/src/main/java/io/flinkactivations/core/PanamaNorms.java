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

    private static final int VALUES = 0;
    private static final int SQUARES = 1;
    private static final int ABSOLUTES = 2;

    PanamaNorms(ActivationSpec spec) {
        super(spec);
    }

    @Override
    double sum(float[] a, int off, int len) {
        return doubleSum(a, off, len, VALUES, 0f);
    }

    @Override
    double sumOfSquares(float[] a, int off, int len, float center) {
        return doubleSum(a, off, len, SQUARES, center);
    }

    @Override
    double sumOfAbs(float[] a, int off, int len) {
        return doubleSum(a, off, len, ABSOLUTES, 0f);
    }

    /**
     * The sum of x, (x - center)^2 or |x| by {@code term}, in double lanes: each float vector is
     * widened into two, so squares neither overflow nor underflow where float's would, and long
     * vectors stay exact (a compensated float sum turns an infinity into NaN).
     */
    private static double doubleSum(float[] a, int off, int len, int term, float center) {
        int bound = S.loopBound(len);
        DoubleVector sum0 = DoubleVector.zero(D);
        DoubleVector sum1 = DoubleVector.zero(D);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, a, off + i);
            if (term == ABSOLUTES) {
                x = x.lanewise(ABS);
            }
            DoubleVector x0 = (DoubleVector) x.convertShape(F2D, D, 0);
            DoubleVector x1 = (DoubleVector) x.convertShape(F2D, D, 1);
            if (term == SQUARES) {
                x0 = x0.sub(center);
                x1 = x1.sub(center);
                sum0 = x0.fma(x0, sum0);
                sum1 = x1.fma(x1, sum1);
            } else {
                sum0 = sum0.add(x0);
                sum1 = sum1.add(x1);
            }
        }
        double total = sum0.add(sum1).reduceLanes(ADD);
        for (; i < len; i++) {
            float x = a[off + i];
            double dev = (double) x - center;
            total += term == SQUARES ? dev * dev : term == ABSOLUTES ? Math.abs(x) : x;
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
