package io.flinkactivations.core;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import org.apache.flink.annotation.PublicEvolving;

/**
 * An activation with its parameters bound: what a spec string such as {@code leaky_relu(0.2)}
 * means. Immutable. Every spec has one canonical string ({@link #canonical()}) that parses back to
 * an equal spec.
 *
 * <p>Grammar (see {@link SpecSyntax}): a functional or class name ({@code leaky_relu}, {@code
 * LeakyReLU}), then optionally arguments in parentheses, positional in PyTorch's order and/or
 * named: {@code leaky_relu(negative_slope=0.2)}, {@code softplus(2, threshold=10)}, {@code
 * gelu(approximate=tanh)}.
 */
@PublicEvolving
public final class ActivationSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Activation activation;
    private final double[] values; // parallel to activation.params()

    private ActivationSpec(Activation activation, double[] values) {
        this.activation = activation;
        this.values = values;
    }

    /** Parses a spec; the exception message says what is wrong and what is valid. */
    public static ActivationSpec parse(String text) {
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
        double[] values = new double[defs.size()];
        boolean[] given = new boolean[defs.size()];
        int positional = 0;
        boolean sawNamed = false;
        for (SpecSyntax.Arg arg : call.args()) {
            int index;
            if (arg.isPositional()) {
                if (sawNamed) {
                    throw new IllegalArgumentException(
                            "Bad activation spec '"
                                    + text
                                    + "': a positional argument follows a named one");
                }
                if (positional >= defs.size()) {
                    throw new IllegalArgumentException(
                            defs.isEmpty()
                                    ? op.functionalName()
                                            + " takes no parameters, got '"
                                            + text
                                            + "'"
                                    : String.format(
                                            "%s takes at most %d positional parameter%s (%s), got %d in '%s'",
                                            op.functionalName(),
                                            defs.size(),
                                            defs.size() == 1 ? "" : "s",
                                            names(defs),
                                            call.args().size(),
                                            text));
                }
                index = positional++;
            } else {
                sawNamed = true;
                index = indexOf(defs, arg.name());
                if (index < 0) {
                    throw new IllegalArgumentException(
                            defs.isEmpty()
                                    ? op.functionalName()
                                            + " takes no parameters, got '"
                                            + arg.name()
                                            + "'"
                                    : String.format(
                                            "Unknown parameter '%s' for %s; valid parameters: %s",
                                            arg.name(), op.functionalName(), op.signature()));
                }
            }
            if (given[index]) {
                throw new IllegalArgumentException(
                        String.format(
                                "Parameter %s of %s is given twice in '%s'",
                                defs.get(index).name(), op.functionalName(), text));
            }
            given[index] = true;
            values[index] = defs.get(index).read(op, arg.value());
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

    public Activation activation() {
        return activation;
    }

    /** The value of parameter {@code index} (for a choice, the index of the option). */
    public double value(int index) {
        return values[index];
    }

    /**
     * The value of parameter {@code index} as the float a float32 kernel uses (as PyTorch casts).
     */
    public float floatValue(int index) {
        return (float) values[index];
    }

    /** For the softmax family: softmax(x / temperature); 1 for element-wise ops. */
    public float temperature() {
        return activation.isNormalizing() ? floatValue(Activation.TEMPERATURE) : 1f;
    }

    /**
     * The one canonical string: the functional name, then the parameters that differ from their
     * defaults (required ones always), named, in PyTorch's order.
     */
    public String canonical() {
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
                && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * activation.ordinal() + Arrays.hashCode(values);
    }

    private static int indexOf(List<ParamDef> defs, String name) {
        for (int i = 0; i < defs.size(); i++) {
            if (defs.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static String names(List<ParamDef> defs) {
        StringJoiner j = new StringJoiner(", ");
        defs.forEach(d -> j.add(d.name()));
        return j.toString();
    }
}
