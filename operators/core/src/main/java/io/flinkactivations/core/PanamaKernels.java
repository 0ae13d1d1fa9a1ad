package io.flinkactivations.core;

import static io.flinkactivations.core.PanamaMath.BLEND_CLAMPS;
import static io.flinkactivations.core.PanamaMath.FMA;
import static io.flinkactivations.core.PanamaMath.I;
import static io.flinkactivations.core.PanamaMath.INLINE_SIGMOID;
import static io.flinkactivations.core.PanamaMath.L;
import static io.flinkactivations.core.PanamaMath.S;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.EQ;

import java.util.List;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * The Vector API (Panama) implementation of {@link Kernels}, at the preferred species width with a
 * scalar tail. Loaded reflectively by {@link Kernels} only when {@code jdk.incubator.vector} is
 * readable and C2 compiles it. It picks each op's kernel: {@link PanamaActivations}' vector forms
 * in {@link VectorElementwiseLoop}, {@link PanamaNorms} for the per-vector normalizations, {@link
 * PanamaSoftmax} for the softmax family, all on {@link PanamaMath}. Nothing flushes subnormals; NaN
 * and infinities follow the same formulas as {@link Activation}.
 */
final class PanamaKernels extends Kernels {
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
                + " x float32, "
                + (FMA ? "fused multiply-add" : "multiply and add (no FMA on this CPU)")
                + ", clamps by "
                + (BLEND_CLAMPS ? "compare and blend" : "integer min/max on the float bits")
                + (INLINE_SIGMOID ? ", sigmoid and SiLU by an inline exp" : "")
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
                return new PanamaSoftmax(spec);
            case VECTOR:
                return new PanamaNorms(spec);
            default:
                break;
        }
        PanamaActivations.VectorFunction f = PanamaActivations.vectorForm(spec);
        ScalarFunction scalar = spec.activation().scalar(spec);
        return f == null
                ? Specializer.instantiate(ScalarElementwiseLoop.class, List.of(spec, scalar))
                : Specializer.instantiate(
                        VectorElementwiseLoop.class,
                        List.of(
                                spec,
                                f,
                                scalar,
                                !PanamaActivations.INLINABLE.contains(spec.activation())));
    }
}
