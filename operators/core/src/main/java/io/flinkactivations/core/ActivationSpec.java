package io.flinkactivations.core;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import org.apache.flink.annotation.PublicEvolving;

/**
 * An activation with its parameters bound, or a chain of them: what a spec string such as {@code
 * leaky_relu(0.2)} or {@code layer_norm | gelu} means. Immutable. Every spec has one canonical
 * string ({@link #canonical()}) that parses back to an equal spec.
 *
 * <p>Grammar (see {@link SpecSyntax}): a functional or class name ({@code leaky_relu}, {@code
 * LeakyReLU}), then optionally arguments in parentheses, positional in PyTorch's order and/or
 * named: {@code leaky_relu(negative_slope=0.2)}, {@code softplus(2, threshold=10)}, {@code
 * gelu(approximate=tanh)}. Steps joined by {@code |} make a chain, applied left to right in one
 * pass: {@code normalize | softmax(temperature=2)}.
 *
 * <p>In a window, one step of a chain runs along dim 0 (each feature across the window's records:
 * the softmax family without groups, batch_norm, min_max, max_abs) and the others run on each
 * record before or after it, as written ({@link #alongDim0Step()}).
 */
@PublicEvolving
public final class ActivationSpec implements Serializable {
    private static final long serialVersionUID = 2L;

    private final Activation activation; // null for a chain
    private final double[] values; // parallel to activation.params()
    private final List<ActivationSpec> steps; // null for one step
    // every vector's dimension must be a multiple of this (a grouped softmax's groups): checked
    // once
    // per record, so computed once here
    private final int dimensionMultiple;

    private ActivationSpec(Activation activation, double[] values) {
        this.activation = activation;
        this.values = values;
        this.steps = null;
        this.dimensionMultiple =
                activation.kind() == Activation.Kind.SOFTMAX ? (int) values[Activation.GROUPS] : 1;
    }

    private ActivationSpec(List<ActivationSpec> steps) {
        this.activation = null;
        this.values = null;
        this.steps = steps;
        long multiple = 1; // the least common multiple of the steps' groups
        for (ActivationSpec s : steps) {
            long g = s.dimensionMultiple;
            long a = multiple;
            long b = g;
            while (b != 0) {
                long t = a % b;
                a = b;
                b = t;
            }
            multiple = Math.min(Integer.MAX_VALUE, multiple / a * g);
        }
        this.dimensionMultiple = (int) multiple;
    }

    /**
     * Parses a spec or a chain; the exception message says what is wrong and what is valid, and for
     * a chain which step.
     */
    public static ActivationSpec parse(String text) {
        List<String> parts = SpecSyntax.splitChain(text);
        if (parts.size() == 1) {
            return parseStep(text);
        }
        List<ActivationSpec> steps = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            try {
                steps.add(parseStep(parts.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "Step "
                                + (i + 1)
                                + " of '"
                                + text.strip()
                                + "' ("
                                + parts.get(i).strip()
                                + "): "
                                + e.getMessage(),
                        e);
            }
        }
        return chain(steps);
    }

    /**
     * The chain of {@code steps} (each a spec or a chain) applied in order; one step is that step.
     */
    public static ActivationSpec chain(List<ActivationSpec> steps) {
        List<ActivationSpec> flat = new ArrayList<>();
        for (ActivationSpec s : steps) {
            flat.addAll(s.steps());
        }
        if (flat.isEmpty()) {
            throw new IllegalArgumentException("a chain needs at least one step");
        }
        return flat.size() == 1 ? flat.get(0) : new ActivationSpec(List.copyOf(flat));
    }

    private static ActivationSpec parseStep(String text) {
        SpecSyntax.Call call;
        try {
            call = SpecSyntax.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Bad activation spec: "
                            + e.getMessage()
                            + ". Examples: relu, leaky_relu(0.2), gelu(approximate=tanh)");
        }
        Activation op = Activation.byName(call.name());
        List<ParamDef> defs = op.params();
        List<String> names = defs.stream().map(ParamDef::name).toList();
        String[] raw =
                SpecSyntax.bind(
                        text,
                        new SpecSyntax.Call(op.functionalName(), call.args()),
                        names,
                        op.signature());
        double[] values = new double[defs.size()];
        boolean[] given = new boolean[defs.size()];
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] != null) {
                given[i] = true;
                values[i] = defs.get(i).read(op, raw[i]);
            }
        }
        for (int i = 0; i < defs.size(); i++) {
            if (!given[i]) {
                if (defs.get(i).isRequired()) {
                    throw new IllegalArgumentException(
                            String.format(
                                    "%s requires parameter %s; write %s",
                                    op.functionalName(), defs.get(i).name(), op.signature()));
                }
                values[i] = defs.get(i).defaultValue();
            }
        }
        op.validate(values);
        return new ActivationSpec(op, values);
    }

    /** The spec of {@code op} with all defaults; fails for ops with required parameters. */
    public static ActivationSpec of(Activation op) {
        return parse(op.functionalName());
    }

    /** True for a chain of two or more steps. */
    public boolean isChain() {
        return steps != null;
    }

    /** The steps of a chain, in order; a single spec is its only step. */
    public List<ActivationSpec> steps() {
        return steps != null ? steps : List.of(this);
    }

    /**
     * The op of a single spec.
     *
     * @throws IllegalStateException for a chain, which has one op per step ({@link #steps()})
     */
    public Activation activation() {
        if (activation == null) {
            throw new IllegalStateException(canonical() + " is a chain: see its steps()");
        }
        return activation;
    }

    /** The value of parameter {@code index} (for a choice, the index of the option). */
    public double value(int index) {
        activation();
        return values[index];
    }

    /** For the softmax family: the number of groups a vector is cut into; 1 for other ops. */
    public int groups() {
        return activation().kind() == Activation.Kind.SOFTMAX ? (int) values[Activation.GROUPS] : 1;
    }

    /**
     * True for a step that, in a window, runs along dim 0 (each feature across the window's
     * records): the softmax family without groups, batch_norm, min_max and max_abs. False for a
     * chain.
     */
    public boolean isAlongDim0() {
        if (steps != null) {
            return false;
        }
        return activation.needsWindow()
                || (activation.kind() == Activation.Kind.SOFTMAX && groups() == 1);
    }

    /**
     * The index among {@link #steps()} of the step that runs along dim 0 in a window, or -1 when
     * none does.
     *
     * @throws IllegalArgumentException when more than one would
     */
    public int alongDim0Step() {
        List<ActivationSpec> all = steps();
        int found = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).isAlongDim0()) {
                if (found >= 0) {
                    throw new IllegalArgumentException(
                            String.format(
                                    "%s has two steps along dim 0 (%s and %s); a window normalises each"
                                            + " feature across its records once",
                                    canonical(), all.get(found), all.get(i)));
                }
                found = i;
            }
        }
        return found;
    }

    /**
     * Checks that this spec can run in a window: exactly one step along dim 0. Returns this.
     *
     * @throws IllegalArgumentException saying what to change
     */
    public ActivationSpec checkForWindow() {
        if (alongDim0Step() < 0) {
            throw new IllegalArgumentException(
                    canonical()
                            + " has no step along dim 0, so a window changes nothing: windows"
                            + " normalise each feature across their records with softmax,"
                            + " log_softmax, softmin (without groups), batch_norm, min_max,"
                            + " max_abs or running_batch_norm; drop the window, or add one of them to"
                            + " the chain");
        }
        return this;
    }

    /**
     * Checks that this spec can run on each record alone, without a window. Returns this.
     *
     * @throws IllegalArgumentException naming the step that needs a window
     */
    public ActivationSpec checkForMap() {
        for (ActivationSpec s : steps()) {
            if (s.activation.needsWindow()) {
                throw new IllegalArgumentException(
                        s
                                + (s.activation.kind() == Activation.Kind.RUNNING
                                        ? " keeps running statistics that each window updates"
                                        : " normalises each feature across a window's records")
                                + ", so it needs a window (e.g. tumbling(10s) or count(100)); per"
                                + " record, use layer_norm, rms_norm or normalize");
            }
        }
        return this;
    }

    /**
     * Null when every step can take a vector of {@code dimension} features, else why not: a grouped
     * softmax needs a multiple of its groups.
     */
    public String checkDimension(int dimension) {
        if (dimension % dimensionMultiple == 0) {
            return null;
        }
        for (ActivationSpec s : steps()) {
            int g = s.groups();
            if (g > 1 && dimension % g != 0) {
                return String.format(
                        "the vector has %d features; %s needs a multiple of %d", dimension, s, g);
            }
        }
        return String.format(
                "the vector has %d features; %s needs a multiple of %d",
                dimension, canonical(), dimensionMultiple);
    }

    /**
     * The value of parameter {@code index} as the float a float32 kernel uses (as PyTorch casts).
     */
    public float floatValue(int index) {
        return (float) value(index);
    }

    /** For the softmax family: softmax(x / temperature); 1 for other ops. */
    public float temperature() {
        return activation().kind() == Activation.Kind.SOFTMAX
                ? floatValue(Activation.TEMPERATURE)
                : 1f;
    }

    /**
     * The one canonical string: the functional name, then the parameters that differ from their
     * defaults (required ones always), named, in PyTorch's order.
     */
    public String canonical() {
        if (steps != null) {
            StringJoiner chain = new StringJoiner(" | ");
            steps.forEach(step -> chain.add(step.canonical()));
            return chain.toString();
        }
        StringJoiner args = new StringJoiner(", ", "(", ")").setEmptyValue("");
        List<ParamDef> defs = activation.params();
        for (int i = 0; i < defs.size(); i++) {
            ParamDef def = defs.get(i);
            if (def.isRequired() || values[i] != def.defaultValue()) {
                args.add(def.name() + "=" + def.format(values[i]));
            }
        }
        return activation.functionalName() + args;
    }

    @Override
    public String toString() {
        return canonical();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActivationSpec other
                && activation == other.activation
                && Arrays.equals(values, other.values)
                && Objects.equals(steps, other.steps);
    }

    @Override
    public int hashCode() {
        return steps != null
                ? steps.hashCode()
                : 31 * activation.ordinal() + Arrays.hashCode(values);
    }
}
