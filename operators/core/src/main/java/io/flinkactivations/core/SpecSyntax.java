package io.flinkactivations.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.flink.annotation.Internal;

/**
 * The one grammar shared by activation, window and restart-strategy specs: a name with an optional
 * argument list, like a Python call.
 *
 * <pre>
 *   spec  := name [ '(' [ arg { ',' arg } ] ')' ]
 *   arg   := [ name '=' ] value
 *   name  := letter { letter | digit | '_' | '.' | '-' }
 *   value := number | word | 'quoted' | "quoted"   (unquoted: up to the next , ) ( =, inner spaces kept)
 *   chain := spec { '|' spec }                      (activation specs only)
 * </pre>
 *
 * Values stay raw strings here; {@link ActivationSpec}, {@link WindowSpec} and the job's restart
 * strategy give them meaning.
 */
@Internal
public final class SpecSyntax {

    /** One argument: {@code name} is null for a positional argument. */
    public record Arg(String name, String value) {
        public boolean isPositional() {
            return name == null;
        }
    }

    /** A parsed call: its name and arguments in the order written. */
    public record Call(String name, List<Arg> args) {}

    private final String text;
    private int pos;

    private SpecSyntax(String text) {
        this.text = text;
    }

    /**
     * Binds a call's arguments to its parameters, by the one rule of every spec: positional
     * arguments first, in the parameters' order, then named ones. A positional argument after a
     * named one, more positional arguments than parameters, an unknown name (with the nearest valid
     * one) and a parameter given twice are errors that say so.
     *
     * @param text the spec as written, quoted in errors
     * @param call its parse
     * @param params the parameters' names, in order
     * @param signature the call as errors show it, e.g. {@code sliding(size, slide)}
     * @return each parameter's raw value, null where the call does not give it
     */
    public static String[] bind(String text, Call call, List<String> params, String signature) {
        String[] values = new String[params.size()];
        int positional = 0;
        boolean sawNamed = false;
        for (Arg arg : call.args()) {
            int index;
            if (arg.isPositional()) {
                if (sawNamed) {
                    throw new IllegalArgumentException(
                            "Bad spec '"
                                    + text.strip()
                                    + "': a positional argument follows a named one");
                }
                if (positional >= params.size()) {
                    throw new IllegalArgumentException(
                            params.isEmpty()
                                    ? call.name()
                                            + " takes no parameters, got '"
                                            + text.strip()
                                            + "'"
                                    : String.format(
                                            "%s takes at most %d positional parameter%s (%s), got %d in '%s'",
                                            call.name(),
                                            params.size(),
                                            params.size() == 1 ? "" : "s",
                                            String.join(", ", params),
                                            call.args().size(),
                                            text.strip()));
                }
                index = positional++;
            } else {
                sawNamed = true;
                index = params.indexOf(arg.name());
                if (index < 0) {
                    throw new IllegalArgumentException(
                            params.isEmpty()
                                    ? call.name() + " takes no parameters, got '" + arg.name() + "'"
                                    : String.format(
                                            "Unknown parameter '%s' for %s;%s valid parameters: %s",
                                            arg.name(),
                                            call.name(),
                                            didYouMean(arg.name(), params),
                                            signature));
                }
            }
            if (values[index] != null) {
                throw new IllegalArgumentException(
                        String.format(
                                "Parameter %s of %s is given twice in '%s'",
                                params.get(index), call.name(), text.strip()));
            }
            values[index] = arg.value();
        }
        return values;
    }

    /**
     * The nearest of {@code candidates} to a misspelled {@code given} (by edit distance, ignoring
     * case), or null when none is near: at most one edit in four characters, or one contains the
     * other.
     */
    public static String nearest(String given, Collection<String> candidates) {
        String g = given.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            String l = c.toLowerCase(Locale.ROOT);
            int d = distance(g, l);
            boolean near =
                    d <= Math.max(1, Math.min(g.length(), l.length()) / 4)
                            || (g.length() >= 3 && (l.contains(g) || g.contains(l)));
            if (near && d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** {@code " did you mean 'x'?"} for the nearest candidate, else the empty string. */
    public static String didYouMean(String given, Collection<String> candidates) {
        String n = nearest(given, candidates);
        return n == null ? "" : " did you mean '" + n + "'?";
    }

    /** Levenshtein's edit distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    /**
     * Cuts a chain {@code step | step | ...} at each {@code |} outside parentheses and quotes; a
     * text without one is one step. Steps are not trimmed or checked here.
     */
    public static List<String> splitChain(String text) {
        if (text == null) {
            return Collections.singletonList(null);
        }
        List<String> steps = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth <= 0) {
                steps.add(text.substring(start, i));
                start = i + 1;
            }
        }
        steps.add(text.substring(start));
        return steps;
    }

    /**
     * Parses {@code text}. Throws {@link IllegalArgumentException} whose message quotes the text
     * and the position of the problem.
     */
    public static Call parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(
                    "Empty spec: expected a name such as relu or count(100)");
        }
        return new SpecSyntax(text).call();
    }

    private Call call() {
        skipSpace();
        String name = word("a name");
        skipSpace();
        List<Arg> args = new ArrayList<>();
        if (peek() == '(') {
            pos++;
            skipSpace();
            if (peek() != ')') {
                while (true) {
                    args.add(arg());
                    skipSpace();
                    char c = peek();
                    if (c == ',') {
                        pos++;
                        skipSpace();
                    } else if (c == ')') {
                        break;
                    } else {
                        throw error("expected ',' or ')'");
                    }
                }
            }
            pos++; // ')'
            skipSpace();
        }
        if (pos < text.length()) {
            throw error("unexpected '" + text.charAt(pos) + "'");
        }
        return new Call(name, Collections.unmodifiableList(args));
    }

    private Arg arg() {
        int start = pos;
        if (isWordStart(peek())) {
            String w = word("a value");
            skipSpace();
            if (peek() == '=') {
                pos++;
                skipSpace();
                return new Arg(w, value());
            }
            pos = start;
        }
        return new Arg(null, value());
    }

    private String value() {
        char c = peek();
        if (c == '\'' || c == '"') {
            int end = text.indexOf(c, pos + 1);
            if (end < 0) {
                throw error("unterminated quote");
            }
            String v = text.substring(pos + 1, end);
            pos = end + 1;
            return v;
        }
        // an unquoted value runs to the next delimiter, spaces inside included (a duration may be
        // written "10 s", as Flink's own durations are); spaces at its end are not part of it
        int start = pos;
        int end = pos;
        while (pos < text.length()) {
            char ch = text.charAt(pos);
            if (ch == ',' || ch == ')' || ch == '(' || ch == '=') {
                break;
            }
            pos++;
            if (!Character.isWhitespace(ch)) {
                end = pos;
            }
        }
        if (end == start) {
            throw error("expected a value");
        }
        pos = end;
        return text.substring(start, end);
    }

    private String word(String what) {
        int start = pos;
        if (!isWordStart(peek())) {
            throw error("expected " + what);
        }
        while (pos < text.length()) {
            char ch = text.charAt(pos);
            if (!(Character.isLetterOrDigit(ch)
                    || ch == '_'
                    || ch == '.'
                    || ch == '-')) { // '-': fixed-delay
                break;
            }
            pos++;
        }
        return text.substring(start, pos);
    }

    private static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String problem) {
        String where = pos < text.length() ? "at position " + (pos + 1) : "at the end";
        return new IllegalArgumentException(
                "Cannot parse '" + text + "': " + problem + " " + where);
    }
}
