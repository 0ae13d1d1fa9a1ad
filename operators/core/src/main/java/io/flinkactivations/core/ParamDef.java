package io.flinkactivations.core;

import java.util.List;
import java.util.Locale;
import java.util.function.DoublePredicate;
import org.apache.flink.annotation.PublicEvolving;

/**
 * One named parameter of an activation: its PyTorch name, default, and what values it accepts. A
 * number parameter holds its value; a choice parameter (like GELU's {@code approximate}) holds the
 * index of its option. A parameter with no default is required.
 */
@PublicEvolving
public final class ParamDef {

    private final String name;
    private final double defaultValue; // NaN = required
    private final boolean noneAllowed; // the value NaN is Python's None
    private final List<String> choices; // empty for numbers
    private final DoublePredicate valid;
    private final String rule;

    private ParamDef(
            String name,
            double defaultValue,
            List<String> choices,
            DoublePredicate valid,
            String rule) {
        this(name, defaultValue, choices, valid, rule, false);
    }

    private ParamDef(
            String name,
            double defaultValue,
            List<String> choices,
            DoublePredicate valid,
            String rule,
            boolean noneAllowed) {
        this.noneAllowed = noneAllowed;
        this.name = name;
        this.defaultValue = defaultValue;
        this.choices = choices;
        this.valid = valid;
        this.rule = rule;
    }

    /** A finite number with a default. */
    public static ParamDef number(String name, double defaultValue) {
        return new ParamDef(name, defaultValue, List.of(), v -> true, null);
    }

    /**
     * A finite number with a default, or {@code None} (as PyTorch's {@code momentum=None}), held as
     * NaN.
     */
    public static ParamDef numberOrNone(String name, double defaultValue) {
        return new ParamDef(name, defaultValue, List.of(), v -> true, null, true);
    }

    /** A finite number the user must give. */
    public static ParamDef required(String name) {
        return new ParamDef(name, Double.NaN, List.of(), v -> true, null);
    }

    /** One of {@code options}; the first is the default. */
    public static ParamDef choice(String name, String... options) {
        return new ParamDef(name, 0, List.of(options), v -> true, null);
    }

    /**
     * This parameter, also requiring {@code valid}; {@code rule} says what is valid, e.g. "> 0".
     */
    public ParamDef check(DoublePredicate valid, String rule) {
        return new ParamDef(name, defaultValue, choices, valid, rule, noneAllowed);
    }

    public String name() {
        return name;
    }

    public boolean isRequired() {
        return Double.isNaN(defaultValue);
    }

    public boolean isChoice() {
        return !choices.isEmpty();
    }

    public double defaultValue() {
        return defaultValue;
    }

    public List<String> choices() {
        return choices;
    }

    /** Reads one raw value from a spec; the message of the exception names what is valid. */
    double read(Activation op, String raw) {
        if (isChoice()) {
            for (int i = 0; i < choices.size(); i++) {
                if (choices.get(i).equalsIgnoreCase(raw.trim())) {
                    return i;
                }
            }
            // numeric options (normalize's p = 2, 1, inf) also match a number of that value
            double number = numberOrNaN(raw);
            for (int i = 0; i < choices.size() && !Double.isNaN(number); i++) {
                if (numberOrNaN(choices.get(i)) == number) {
                    return i;
                }
            }
            throw new IllegalArgumentException(
                    String.format(
                            "Bad value for %s parameter %s: '%s'; valid values: %s",
                            op.functionalName(), name, raw, String.join(", ", choices)));
        }
        if (noneAllowed && raw.trim().equalsIgnoreCase("none")) {
            return Double.NaN;
        }
        double v;
        try {
            v = Double.parseDouble(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    String.format(
                            "Bad value for %s parameter %s: '%s' is not a number",
                            op.functionalName(), name, raw));
        }
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(
                    String.format(
                            "Bad value for %s parameter %s: '%s'; it must be a finite number",
                            op.functionalName(), name, raw));
        }
        if (!valid.test(v)) {
            throw new IllegalArgumentException(
                    String.format(
                            "Bad value for %s parameter %s: %s; it must be %s",
                            op.functionalName(), name, raw, rule));
        }
        return v;
    }

    /** A choice written as a number (2, 2.0, inf, Infinity), else NaN. */
    private static double numberOrNaN(String raw) {
        String t = raw.trim().toLowerCase(Locale.ROOT);
        if (t.equals("inf") || t.equals("infinity") || t.equals("+inf")) {
            return Double.POSITIVE_INFINITY;
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The value as written in a canonical spec. */
    String format(double value) {
        if (noneAllowed && Double.isNaN(value)) {
            return "None";
        }
        return isChoice() ? choices.get((int) value) : formatNumber(value);
    }

    /**
     * Shortest decimal that reads back to {@code v}, without a trailing ".0": 0.2, 20, 1e-08 style.
     */
    static String formatNumber(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = Double.toString(v); // shortest repr, e.g. 0.2 or 1.0E-5
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        return mantissa + "e" + s.substring(e + 1).toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        if (isChoice()) {
            return name + "=" + String.join("|", choices);
        }
        return isRequired() ? name : name + "=" + format(defaultValue);
    }
}
