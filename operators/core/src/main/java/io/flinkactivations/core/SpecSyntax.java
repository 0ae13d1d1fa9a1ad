package io.flinkactivations.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
