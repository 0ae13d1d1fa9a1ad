package io.flinkactivations.core;

import static io.flinkactivations.core.ParamDef.choice;
import static io.flinkactivations.core.ParamDef.number;
import static io.flinkactivations.core.ParamDef.required;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Every supported activation, one entry each: PyTorch's functional and class names, its parameters
 * in PyTorch's order with PyTorch's defaults, and, for element-wise ops, the scalar definition that
 * is the reference for every kernel. The formulas follow PyTorch's CPU kernels, including how NaN
 * and infinities come out (for example GELU and SiLU of -inf are NaN, as in PyTorch).
 *
 * <p>Adding an activation: one entry here plus its golden rows. {@link ScalarKernels} runs it at
 * once; the Panama kernels fall back to the scalar form until they get a vector form.
 */
@PublicEvolving
public enum Activation {
    RELU("relu", "ReLU") {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            return x -> Math.max(x, 0f); // Math.max keeps NaN
        }
    },
    RELU6("relu6", "ReLU6") {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            return x -> Math.min(Math.max(x, 0f), 6f);
        }
    },
    LEAKY_RELU("leaky_relu", "LeakyReLU", number("negative_slope", 0.01)) {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            float slope = s.floatValue(0);
            return x -> x > 0f ? x : x * slope;
        }
    },
    ELU("elu", "ELU", number("alpha", 1.0)) {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            double alpha = s.floatValue(0);
            return x -> x > 0f ? x : (float) (alpha * Math.expm1(x));
        }
    },
    SELU("selu", "SELU") {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            return x -> (float) (x > 0f ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x));
        }
    },
    CELU("celu", "CELU", number("alpha", 1.0).check(a -> a != 0, "non-zero")) {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            double alpha = s.floatValue(0);
            return x -> x > 0f ? x : (float) (alpha * Math.expm1(x / alpha));
        }
    },
    GELU("gelu", "GELU", choice("approximate", "none", "tanh")) {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            if (s.value(0) == GELU_TANH) {
                return x -> {
                    double inner = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
                    return (float) (0.5 * x * (1 + Math.tanh(inner)));
                };
            }
            // 0.5 x (1 + erf(x/sqrt2)) = 0.5 x erfc(-x/sqrt2): no cancellation for negative x
            return x -> (float) (0.5 * x * SpecialFunctions.erfc(-x * SQRT1_2));
        }
    },
    SIGMOID("sigmoid", "Sigmoid") {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            return x -> (float) (1 / (1 + Math.exp(-x)));
        }
    },
    SILU("silu", "SiLU") {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            return x -> (float) (x / (1 + Math.exp(-(double) x)));
        }
    },
    MISH("mish", "Mish") {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            return x -> (float) (x * Math.tanh(Math.log1p(Math.exp(x))));
        }
    },
    SOFTPLUS(
            "softplus",
            "Softplus",
            number("beta", 1.0).check(b -> b != 0, "non-zero"),
            number("threshold", 20.0)) {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            float beta = s.floatValue(0);
            float threshold = s.floatValue(1);
            return x -> {
                float scaled = x * beta;
                return scaled > threshold ? x : (float) (Math.log1p(Math.exp(scaled)) / beta);
            };
        }
    },
    SOFTSIGN("softsign", "Softsign") {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            return x -> x / (1f + Math.abs(x));
        }
    },
    TANH("tanh", "Tanh") {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            return x -> (float) Math.tanh(x);
        }
    },
    TANHSHRINK("tanhshrink", "Tanhshrink") {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            return x -> (float) (x - Math.tanh(x));
        }
    },
    HARDTANH("hardtanh", "Hardtanh", number("min_val", -1.0), number("max_val", 1.0)) {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            float min = s.floatValue(0);
            float max = s.floatValue(1);
            return x -> Math.min(Math.max(x, min), max);
        }

        @Override
        void validate(double[] values) {
            if (!(values[0] < values[1])) {
                throw new IllegalArgumentException(
                        String.format(
                                "Bad parameters for hardtanh: min_val (%s) must be less than max_val (%s)",
                                ParamDef.formatNumber(values[0]),
                                ParamDef.formatNumber(values[1])));
            }
        }
    },
    HARDSIGMOID("hardsigmoid", "Hardsigmoid") {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            return x -> Math.min(Math.max(x + 3f, 0f), 6f) / 6f;
        }
    },
    HARDSWISH("hardswish", "Hardswish") {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            return x -> x * Math.min(Math.max(x + 3f, 0f), 6f) / 6f;
        }
    },
    HARDSHRINK("hardshrink", "Hardshrink", number("lambd", 0.5)) {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            float lambd = s.floatValue(0);
            return x -> (x >= -lambd && x <= lambd) ? 0f : x;
        }
    },
    SOFTSHRINK("softshrink", "Softshrink", number("lambd", 0.5).check(l -> l >= 0, ">= 0")) {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            float lambd = s.floatValue(0);
            // NaN stays NaN (PyTorch 1.13 returned 0 here, a bug fixed upstream; see
            // golden/README.md)
            return x -> x > lambd ? x - lambd : x < -lambd ? x + lambd : x == x ? 0f : x;
        }
    },
    THRESHOLD("threshold", "Threshold", required("threshold"), required("value")) {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            float threshold = s.floatValue(0);
            float value = s.floatValue(1);
            return x -> x <= threshold ? value : x; // NaN <= t is false: NaN stays NaN
        }
    },
    LOGSIGMOID("logsigmoid", "LogSigmoid") {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            return x -> (float) (Math.min(x, 0.0) - Math.log1p(Math.exp(-Math.abs((double) x))));
        }
    },
    PRELU("prelu", "PReLU", number("weight", 0.25)) {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            float weight = s.floatValue(0);
            return x -> x > 0f ? x : weight * x;
        }
    },
    RRELU("rrelu", "RReLU", number("lower", 1.0 / 8), number("upper", 1.0 / 3)) {
        @Override
        ScalarFunction scalar(ActivationSpec s) {
            float slope = rreluSlope(s);
            return x -> x >= 0f ? x : x * slope;
        }

        @Override
        void validate(double[] values) {
            if (!(values[0] <= values[1])) {
                throw new IllegalArgumentException(
                        String.format(
                                "Bad parameters for rrelu: lower (%s) must not exceed upper (%s)",
                                ParamDef.formatNumber(values[0]),
                                ParamDef.formatNumber(values[1])));
            }
        }
    },
    SOFTMAX("softmax", "Softmax", false, false),
    LOG_SOFTMAX("log_softmax", "LogSoftmax", false, true),
    SOFTMIN("softmin", "Softmin", true, false),
    /** {@code torch.nn.functional.layer_norm} over the whole vector, without affine parameters. */
    LAYER_NORM(
            "layer_norm", "LayerNorm", Kind.VECTOR, number("eps", 1e-5).check(e -> e >= 0, ">= 0")),
    /**
     * {@code torch.nn.functional.normalize} along the vector: x / max(||x||_p, eps), p = 1, 2 or
     * inf.
     */
    NORMALIZE(
            "normalize",
            "Normalize", // a function in PyTorch, without a module: the name a class would have
            Kind.VECTOR,
            choice("p", "2", "1", "inf"),
            number("eps", 1e-12).check(e -> e >= 0, ">= 0")),
    /**
     * {@code torch.nn.functional.rms_norm} (PyTorch 2.4) over the whole vector, without a weight: x
     * / sqrt(mean(x^2) + eps); eps defaults to float32's machine epsilon, as PyTorch's None does.
     */
    RMS_NORM(
            "rms_norm",
            "RMSNorm",
            Kind.VECTOR,
            number("eps", 0x1p-23).check(e -> e >= 0, ">= 0")), // float32 machine epsilon
    /**
     * {@code torch.nn.functional.batch_norm} in training mode, without affine parameters: each
     * feature across a window's records, (x - mean) / sqrt(biased variance + eps).
     */
    BATCH_NORM(
            "batch_norm",
            "BatchNorm1d",
            Kind.WINDOW,
            number("eps", 1e-5).check(e -> e >= 0, ">= 0")),
    /**
     * Each feature across a window's records to [0, 1]: (x - min) / (max - min), as scikit-learn's
     * {@code MinMaxScaler}; a constant feature gives 0.
     */
    MIN_MAX("min_max", "MinMaxScaler", Kind.WINDOW),
    /**
     * Each feature across a window's records to [-1, 1]: x / max|x|, as scikit-learn's {@code
     * MaxAbsScaler}; a feature that is 0 in every record gives 0.
     */
    MAX_ABS("max_abs", "MaxAbsScaler", Kind.WINDOW),
    /**
     * Each record at once by its key's running statistics, as {@code nn.BatchNorm1d(D,
     * affine=False, momentum=m)} in eval mode, which every window of the key updates when it fires,
     * as one batch in training mode ({@link RunningBatchNorm}).
     */
    RUNNING_BATCH_NORM(
            "running_batch_norm",
            "RunningBatchNorm",
            Kind.RUNNING,
            ParamDef.numberOrNone("momentum", 0.1)
                    .check(m -> m >= 0 && m <= 1, "in [0, 1] or None"),
            number("eps", 1e-5).check(e -> e >= 0, ">= 0"));

    /**
     * How an op reads its input: one value at a time, a whole vector, or along dim 0 (across a
     * window's records, one feature at a time).
     */
    @PublicEvolving
    public enum Kind {
        /** One value at a time. */
        ELEMENTWISE,
        /** Across one vector's values: layer_norm, normalize, rms_norm. */
        VECTOR,
        /**
         * The softmax family: across one vector's values (in {@code groups} when given), and in a
         * window, without groups, each feature across the window's records.
         */
        SOFTMAX,
        /** Each feature across a window's records, and only there: batch_norm, min_max, max_abs. */
        WINDOW,
        /**
         * Each record at once, by running statistics per key that each finished window updates:
         * running_batch_norm. Needs a window, as {@link #WINDOW}.
         */
        RUNNING
    }

    /** Index of {@code approximate=tanh} among GELU's choices. */
    static final int GELU_TANH = 1;

    /** Index of the softmax family's {@code temperature} parameter. */
    static final int TEMPERATURE = 1;

    /** Index of the softmax family's {@code groups} parameter. */
    static final int GROUPS = 2;

    static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    static final double SELU_SCALE = 1.0507009873554804934193349852946;
    static final double SQRT1_2 = 0.70710678118654752440;
    static final double SQRT_2_OVER_PI = 0.79788456080286535588;

    private final String functionalName;
    private final String className;
    private final List<ParamDef> params;
    private final Kind kind;
    private final boolean negateInput;
    private final boolean logOutput;

    Activation(String functionalName, String className, ParamDef... params) {
        this(functionalName, className, Kind.ELEMENTWISE, params);
    }

    Activation(String functionalName, String className, Kind kind, ParamDef... params) {
        this.functionalName = functionalName;
        this.className = className;
        this.params = List.of(params);
        this.kind = kind;
        this.negateInput = false;
        this.logOutput = false;
    }

    /**
     * The softmax family: normalised along dim 0; softmin negates its input, log_softmax logs its
     * output.
     */
    Activation(String functionalName, String className, boolean negateInput, boolean logOutput) {
        this.functionalName = functionalName;
        this.className = className;
        // dim is PyTorch's first argument; along dim 0 is the only meaning here (a vector's
        // features, or a window's records), so it is accepted for familiarity and must be 0.
        this.params =
                List.of(
                        number("dim", 0)
                                .check(
                                        d -> d == 0,
                                        "0 (one vector's features, or a window's records per feature)"),
                        number("temperature", 1.0).check(t -> t > 0, "> 0"),
                        // softmax within each of `groups` contiguous, equal parts of a vector:
                        // PyTorch's x.view(groups, -1).softmax(-1).view(-1)
                        number("groups", 1)
                                .check(
                                        g -> g >= 1 && g == Math.rint(g) && g <= Integer.MAX_VALUE,
                                        "a whole number >= 1"));
        this.kind = Kind.SOFTMAX;
        this.negateInput = negateInput;
        this.logOutput = logOutput;
    }

    /**
     * The element-wise reference function with the spec's parameters bound.
     *
     * @throws UnsupportedOperationException for ops that are not element-wise
     */
    ScalarFunction scalar(ActivationSpec spec) {
        throw new UnsupportedOperationException(functionalName + " is not element-wise");
    }

    /** Checks that hold between parameters; single values are checked by their {@link ParamDef}. */
    void validate(double[] values) {}

    /** PyTorch's functional name, e.g. {@code leaky_relu}; the name used in canonical specs. */
    public String functionalName() {
        return functionalName;
    }

    /** PyTorch's {@code torch.nn} class name, e.g. {@code LeakyReLU}. */
    public String className() {
        return className;
    }

    public List<ParamDef> params() {
        return params;
    }

    /** How this op reads its input. */
    public Kind kind() {
        return kind;
    }

    /**
     * True for the ops that run only in a window: batch_norm, min_max, max_abs and
     * running_batch_norm.
     */
    public boolean needsWindow() {
        return kind == Kind.WINDOW || kind == Kind.RUNNING;
    }

    /** Softmin is softmax of the negated input. */
    boolean negatesInput() {
        return negateInput;
    }

    /** log_softmax writes log of the softmax. */
    boolean logsOutput() {
        return logOutput;
    }

    /**
     * Finds an op by functional or class name, case-insensitively; {@code nn.} style prefixes are
     * allowed.
     */
    public static Activation byName(String name) {
        String bare = name;
        for (String prefix :
                List.of(
                        "torch.nn.functional.",
                        "torch.nn.",
                        "nn.functional.",
                        "nn.",
                        "F.",
                        "torch.")) {
            if (bare.startsWith(prefix)) {
                bare = bare.substring(prefix.length());
                break;
            }
        }
        for (Activation a : values()) {
            if (a.functionalName.equalsIgnoreCase(bare) || a.className.equalsIgnoreCase(bare)) {
                return a;
            }
        }
        List<String> known = new java.util.ArrayList<>();
        for (Activation a : values()) {
            known.add(a.functionalName);
        }
        String near = SpecSyntax.nearest(bare, known);
        throw new IllegalArgumentException(
                near != null
                        ? "Unknown activation '" + name + "'; did you mean '" + near + "'?"
                        : "Unknown activation '" + name + "'; valid activations: " + usage());
    }

    /** Every op with its parameters, e.g. {@code relu, leaky_relu(negative_slope=0.01), ...}. */
    public static String usage() {
        return Arrays.stream(values()).map(Activation::signature).collect(Collectors.joining(", "));
    }

    /**
     * This op's name and parameters with their defaults, e.g. {@code softplus(beta=1,
     * threshold=20)}.
     */
    public String signature() {
        if (params.isEmpty()) {
            return functionalName;
        }
        return functionalName
                + params.stream()
                        .map(ParamDef::toString)
                        .collect(Collectors.joining(", ", "(", ")"));
    }

    static float rreluSlope(ActivationSpec s) {
        return (float) ((s.value(0) + s.value(1)) / 2); // eval mode: the mean slope, as PyTorch
    }

    @Override
    public String toString() {
        return functionalName.toLowerCase(Locale.ROOT);
    }
}
