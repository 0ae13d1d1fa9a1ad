package io.flinkactivations.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Template of the vector element-wise kernel: {@link Specializer} defines one hidden copy per op,
 * with the op's vector and scalar functions as constants; its loop is called directly or out of
 * line ({@link #loopHandle}). Full vectors, then the scalar function for the tail; for large
 * arrays, a few scalar steps first so that the vectors start on a boundary ({@link
 * ArrayAlignment}). Never loaded under its own name.
 */
final class VectorElementwiseLoop extends ElementwiseKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ActivationSpec SPEC =
            Specializer.classData(MethodHandles.lookup(), 0, ActivationSpec.class);
    private static final PanamaActivations.VectorFunction VF =
            Specializer.classData(
                    MethodHandles.lookup(), 1, PanamaActivations.VectorFunction.class);
    private static final ScalarFunction SF =
            Specializer.classData(MethodHandles.lookup(), 2, ScalarFunction.class);
    private static final boolean OUT_OF_LINE =
            Specializer.classData(MethodHandles.lookup(), 3, Boolean.class);

    /**
     * The loop, called through this handle when {@link #OUT_OF_LINE}. Deliberately not final: C2
     * cannot constant-fold it, so it cannot inline the loop into a caller through it, and compiles
     * the loop as a method of its own, the op inlined. Inlined into a caller (a Flink map function,
     * JMH's loop), the op's vector code can exceed C2's node budget for that caller; the op is then
     * left a call and every vector is boxed, several times slower (docs/compute.md, "Out-of-line
     * loops").
     */
    private static MethodHandle loopHandle = loopHandle();

    @Override
    public ActivationSpec spec() {
        return SPEC;
    }

    @Override
    public void apply(float[] in, int inOff, float[] out, int outOff, int len) {
        Checks.slice(in, inOff, out, outOff, len);
        if (!OUT_OF_LINE) {
            loop(in, inOff, out, outOff, len);
            return;
        }
        try {
            loopHandle.invokeExact(in, inOff, out, outOff, len);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t); // loop throws nothing checked
        }
    }

    private static MethodHandle loopHandle() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            return lookup.findStatic(
                    lookup.lookupClass(),
                    "loop",
                    MethodType.methodType(
                            void.class,
                            float[].class,
                            int.class,
                            float[].class,
                            int.class,
                            int.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void loop(float[] in, int inOff, float[] out, int outOff, int len) {
        int i = 0;
        if (len
                >= ArrayAlignment
                        .PEEL_FROM) { // start the vectors on a boundary of out (see ArrayAlignment)
            for (int peel = ArrayAlignment.peel(outOff, S.vectorByteSize()); i < peel; i++) {
                out[outOff + i] = SF.apply(in[inOff + i]);
            }
        }
        int bound = i + S.loopBound(len - i);
        for (; i < bound; i += S.length()) {
            FloatVector y = VF.apply(FloatVector.fromArray(S, in, inOff + i));
            if (VF.takesInputAgain()) {
                y = VF.finish(FloatVector.fromArray(S, in, inOff + i), y);
            }
            y.intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            out[outOff + i] = SF.apply(in[inOff + i]);
        }
    }
}
