package io.flinkactivations.core;

import java.lang.invoke.MethodHandles;

/**
 * Template of the scalar element-wise kernel: {@link Specializer} defines one hidden copy per op,
 * with the op's function as a constant. Never loaded under its own name.
 */
final class ScalarElementwiseLoop extends ElementwiseKernel {
    private static final ActivationSpec SPEC =
            Specializer.classData(MethodHandles.lookup(), 0, ActivationSpec.class);
    private static final ScalarFunction F =
            Specializer.classData(MethodHandles.lookup(), 1, ScalarFunction.class);

    @Override
    public ActivationSpec spec() {
        return SPEC;
    }

    @Override
    public void apply(float[] in, int inOff, float[] out, int outOff, int len) {
        Checks.slice(in, inOff, out, outOff, len);
        for (int i = 0; i < len; i++) {
            out[outOff + i] = F.apply(in[inOff + i]);
        }
    }
}
