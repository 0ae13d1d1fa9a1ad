package io.flinkactivations.core;

import static io.flinkactivations.core.PanamaMath.S;
import static io.flinkactivations.core.PanamaMath.clamp;
import static io.flinkactivations.core.PanamaMath.exp;
import static io.flinkactivations.core.PanamaMath.expm1OfNonPositive;
import static io.flinkactivations.core.PanamaMath.log1pOfExpOfNonPositive;
import static io.flinkactivations.core.PanamaMath.max;
import static io.flinkactivations.core.PanamaMath.min;
import static io.flinkactivations.core.PanamaMath.polynomial;
import static jdk.incubator.vector.VectorOperators.ABS;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.NEG;

import java.util.EnumSet;
import java.util.Set;
import jdk.incubator.vector.FloatVector;

/**
 * The element-wise ops' vector forms, one per {@link Activation} that has one, on {@link
 * PanamaMath}. {@link VectorElementwiseLoop} runs them; an op without one runs its scalar form.
 */
final class PanamaActivations {
    private PanamaActivations() {}

    /**
     * Ops whose vector form is a few compares, blends and multiplies: their loops stay small enough
     * for C2 to inline into a caller, and they are called directly. Every other op's loop is called
     * out of line (see VectorElementwiseLoop's loopHandle), at the cost of a call per apply, not
     * worth paying for these.
     */
    static final Set<Activation> INLINABLE =
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

    /**
     * One vector of inputs to one vector of outputs. An op that calls the JDK's exp and needs x
     * after it ({@link #takesInputAgain}) gets x loaded from the array again for {@link #finish},
     * so no vector is live across the call, which clobbers every vector register ({@link
     * PanamaMath#exp}).
     */
    @FunctionalInterface
    interface VectorFunction {
        FloatVector apply(FloatVector x);

        /** Whether the output is {@link #finish} of x and {@link #apply}'s result. */
        default boolean takesInputAgain() {
            return false;
        }

        /** The output from x and {@link #apply}'s result y. */
        default FloatVector finish(FloatVector x, FloatVector y) {
            return y;
        }
    }

    /** x / (1 + e^-x), e^-x by the JDK's exp, x loaded again after it. */
    private static final VectorFunction SILU =
            new VectorFunction() {
                @Override
                public FloatVector apply(FloatVector x) {
                    return exp(x.lanewise(NEG));
                }

                @Override
                public boolean takesInputAgain() {
                    return true;
                }

                @Override
                public FloatVector finish(FloatVector x, FloatVector expOfMinusX) {
                    return x.div(expOfMinusX.add(1f));
                }
            };

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
                    return x -> expm1OfNonPositive(x).mul(alpha).blend(x, x.compare(GT, 0f));
                }
            case SELU:
                {
                    float scale = (float) Activation.SELU_SCALE;
                    float negScale = (float) (Activation.SELU_SCALE * Activation.SELU_ALPHA);
                    return x ->
                            expm1OfNonPositive(x)
                                    .mul(negScale)
                                    .blend(x.mul(scale), x.compare(GT, 0f));
                }
            case CELU:
                {
                    float alpha = spec.floatValue(0);
                    if (alpha < 0) {
                        // x / alpha > 0 there and e^(x / alpha) grows with it: a float x / alpha,
                        // off by up to half an ulp, puts the result many ulp off (celu(-1.5) of
                        // -29.6 by 10); the scalar form divides in double
                        return null;
                    }
                    // a multiply, not a division in the chain: x / alpha within an ulp either way
                    float inverse = 1f / alpha;
                    return x ->
                            expm1OfNonPositive(x.mul(inverse))
                                    .mul(alpha)
                                    .blend(x, x.compare(GT, 0f));
                }
            case GELU:
                return spec.value(0) == Activation.GELU_TANH
                        ? PanamaActivations::geluTanh
                        : PanamaActivations::geluErf;
            case SIGMOID:
                return PanamaMath.INLINE_SIGMOID
                        ? PanamaMath::sigmoid
                        : x -> FloatVector.broadcast(S, 1f).div(exp(x.lanewise(NEG)).add(1f));
            case SILU:
                return PanamaMath.INLINE_SIGMOID ? x -> x.mul(PanamaMath.sigmoid(x)) : SILU;
            case MISH:
                return MISH;
            case SOFTPLUS:
                {
                    float beta = spec.floatValue(0);
                    float threshold = spec.floatValue(1);
                    // log1p(e^y) = max(y, 0) + log1p(e^-|y|): the exp cannot overflow
                    return x -> {
                        FloatVector scaled = x.mul(beta);
                        return max(scaled, 0f)
                                .add(log1pOfExpOfNonPositive(scaled.lanewise(ABS).neg()))
                                .div(beta)
                                .blend(x, scaled.compare(GT, threshold));
                    };
                }
            case SOFTSIGN:
                return x -> x.div(x.lanewise(ABS).add(1f));
            case TANH:
                return PanamaMath::tanh;
            case TANHSHRINK:
                return x -> x.sub(PanamaMath.tanh(x));
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
                return x -> min(x, 0f).sub(log1pOfExpOfNonPositive(x.lanewise(ABS).neg()));
            default:
                return null;
        }
    }

    /**
     * x tanh(softplus(x)) with tanh(log1p(e)) = n / (n + 2), n = e (e + 2), e = e^x by the JDK's
     * exp, x loaded again after it: one exp instead of three calls.
     */
    private static final VectorFunction MISH =
            new VectorFunction() {
                @Override
                public FloatVector apply(FloatVector x) {
                    return exp(x);
                }

                @Override
                public boolean takesInputAgain() {
                    return true;
                }

                @Override
                public FloatVector finish(FloatVector x, FloatVector e) {
                    FloatVector n = e.mul(e.add(2f));
                    FloatVector r = x.mul(n.div(n.add(2f)));
                    // tanh(softplus(x)) == 1f there; avoids inf / inf
                    return r.blend(x, x.compare(GT, 20f));
                }
            };

    private static FloatVector geluTanh(FloatVector x) {
        FloatVector inner =
                x.mul(x).mul(0.044715f).add(1f).mul(x).mul((float) Activation.SQRT_2_OVER_PI);
        return x.mul(0.5f).mul(PanamaMath.tanh(inner).add(1f));
    }

    // SpecialFunctions.GELU_PHI_P and GELU_PHI_Q as float constants
    private static final float P0 = (float) SpecialFunctions.GELU_PHI_P[0];
    private static final float P1 = (float) SpecialFunctions.GELU_PHI_P[1];
    private static final float P2 = (float) SpecialFunctions.GELU_PHI_P[2];
    private static final float P3 = (float) SpecialFunctions.GELU_PHI_P[3];
    private static final float P4 = (float) SpecialFunctions.GELU_PHI_P[4];
    private static final float P5 = (float) SpecialFunctions.GELU_PHI_P[5];
    private static final float P6 = (float) SpecialFunctions.GELU_PHI_P[6];
    private static final float Q1 = (float) SpecialFunctions.GELU_PHI_Q[1];
    private static final float Q2 = (float) SpecialFunctions.GELU_PHI_Q[2];
    private static final float Q3 = (float) SpecialFunctions.GELU_PHI_Q[3];
    private static final float Q4 = (float) SpecialFunctions.GELU_PHI_Q[4];
    private static final float GELU_LIMIT = SpecialFunctions.GELU_PHI_LIMIT;

    /**
     * x Phi(c), c = x clamped to the limit, Phi(c) = 1/2 + c P(c^2) / Q(c^2) ({@link
     * SpecialFunctions#GELU_PHI_P}).
     */
    private static FloatVector geluErf(FloatVector x) {
        FloatVector c = clamp(x, -GELU_LIMIT, GELU_LIMIT);
        FloatVector s = c.mul(c);
        // at -limit this is exactly 0 (x * 0 = -0.0 below it) and at the limit exactly 1
        FloatVector p = polynomial(s, P0, P1, P2, P3, P4, P5, P6);
        FloatVector phi = c.mul(p).div(polynomial(s, 1f, Q1, Q2, Q3, Q4)).add(0.5f);
        return x.mul(phi);
    }
}
