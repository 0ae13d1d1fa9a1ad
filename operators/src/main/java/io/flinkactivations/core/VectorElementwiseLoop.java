package io.flinkactivations.core;

import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Template of the vector element-wise kernel: {@link Specializer} defines one hidden copy per op,
 * with the op's vector and scalar functions as constants. Full vectors, then the scalar function for
 * the tail. Never loaded under its own name.
 */
final class VectorElementwiseLoop extends ElementwiseKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ActivationSpec SPEC = Specializer.classData(MethodHandles.lookup(), 0, ActivationSpec.class);
    private static final PanamaKernels.VectorFunction VF =
            Specializer.classData(MethodHandles.lookup(), 1, PanamaKernels.VectorFunction.class);
    private static final ScalarFunction SF = Specializer.classData(MethodHandles.lookup(), 2, ScalarFunction.class);

    @Override
    public ActivationSpec spec() {
        return SPEC;
    }

    @Override
    public void apply(float[] in, int inOff, float[] out, int outOff, int len) {
        Checks.slice(in, inOff, out, outOff, len);
        int i = 0;
        int bound = S.loopBound(len);
        for (; i < bound; i += S.length()) {
            VF.apply(FloatVector.fromArray(S, in, inOff + i)).intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            out[outOff + i] = SF.apply(in[inOff + i]);
        }
    }
}
