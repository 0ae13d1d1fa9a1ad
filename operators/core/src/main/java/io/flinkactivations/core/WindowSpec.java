package io.flinkactivations.core;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Which records form one batch for the softmax family along dim 0. Parsed with the same grammar as
 * activation specs ({@link SpecSyntax}):
 *
 * <ul>
 *   <li>{@code tumbling(size)}: fixed, non-overlapping event-time windows, e.g. {@code
 *       tumbling(10s)};
 *   <li>{@code sliding(size, slide)}: overlapping event-time windows, {@code slide <= size};
 *   <li>{@code session(gap)}: event-time windows closed by a gap of inactivity;
 *   <li>{@code count(n)}: every n consecutive records of a key.
 * </ul>
 *
 * Durations take a unit: {@code ms}, {@code s}, {@code m}, {@code h}, {@code d} (e.g. 500ms, 10s,
 * 5m).
 */
@PublicEvolving
public final class WindowSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The window kinds with their parameter names in order. */
    public enum Kind {
        TUMBLING("size"),
        SLIDING("size", "slide"),
        SESSION("gap"),
        COUNT("n");

        private final List<String> params;

        Kind(String... params) {
            this.params = List.of(params);
        }

        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public List<String> params() {
            return params;
        }

        String signature() {
            return specName() + "(" + String.join(", ", params) + ")";
        }
    }

    private static final String USAGE =
            "valid windows: tumbling(size), sliding(size, slide), session(gap), count(n);"
                    + " sizes like 500ms, 10s, 5m, 1h";

    private final Kind kind;
    private final long first; // size, gap (ms) or n
    private final long second; // slide (ms), else 0

    private WindowSpec(Kind kind, long first, long second) {
        this.kind = kind;
        this.first = first;
        this.second = second;
    }

    public static WindowSpec tumbling(Duration size) {
        return new WindowSpec(Kind.TUMBLING, positiveMillis("size", size), 0);
    }

    public static WindowSpec sliding(Duration size, Duration slide) {
        long sizeMs = positiveMillis("size", size);
        long slideMs = positiveMillis("slide", slide);
        if (slideMs > sizeMs) {
            throw new IllegalArgumentException(
                    "Bad window sliding("
                            + SpecDuration.format(sizeMs)
                            + ", "
                            + SpecDuration.format(slideMs)
                            + "): slide must not exceed size, or records between windows are lost");
        }
        if (sizeMs / slideMs > MAX_WINDOWS_PER_RECORD) {
            throw new IllegalArgumentException(
                    "Bad window sliding("
                            + SpecDuration.format(sizeMs)
                            + ", "
                            + SpecDuration.format(slideMs)
                            + "): each record would be in "
                            + sizeMs / slideMs
                            + " windows, more than "
                            + MAX_WINDOWS_PER_RECORD
                            + "; make the slide larger");
        }
        return new WindowSpec(Kind.SLIDING, sizeMs, slideMs);
    }

    public static WindowSpec session(Duration gap) {
        return new WindowSpec(Kind.SESSION, positiveMillis("gap", gap), 0);
    }

    public static WindowSpec count(long n) {
        if (n < 1) {
            throw new IllegalArgumentException(
                    "Bad window count(" + n + "): n must be a positive whole number");
        }
        return new WindowSpec(Kind.COUNT, n, 0);
    }

    /** Parses a window spec; the exception message says what is wrong and what is valid. */
    public static WindowSpec parse(String text) {
        SpecSyntax.Call call;
        try {
            call = SpecSyntax.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Bad window spec: " + e.getMessage() + "; " + USAGE);
        }
        Kind kind = null;
        List<String> kinds = new java.util.ArrayList<>();
        for (Kind k : Kind.values()) {
            kinds.add(k.specName());
            if (k.specName().equalsIgnoreCase(call.name())) {
                kind = k;
            }
        }
        if (kind == null) {
            throw new IllegalArgumentException(
                    "Unknown window '"
                            + call.name()
                            + "';"
                            + SpecSyntax.didYouMean(call.name(), kinds)
                            + " "
                            + USAGE);
        }
        String[] values;
        try {
            values =
                    SpecSyntax.bind(
                            text,
                            new SpecSyntax.Call(kind.specName(), call.args()),
                            kind.params,
                            kind.signature());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Bad window spec: " + e.getMessage(), e);
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                throw new IllegalArgumentException(
                        String.format(
                                "Bad window spec '%s': %s requires parameter %s; write %s",
                                text.strip(),
                                kind.specName(),
                                kind.params.get(i),
                                kind.signature()));
            }
        }
        switch (kind) {
            case TUMBLING:
                return tumbling(SpecDuration.parse(values[0], "size"));
            case SLIDING:
                return sliding(
                        SpecDuration.parse(values[0], "size"),
                        SpecDuration.parse(values[1], "slide"));
            case SESSION:
                return session(SpecDuration.parse(values[0], "gap"));
            default:
                try {
                    return count(Long.parseLong(values[0].trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "Bad window count("
                                    + values[0]
                                    + "): n must be a positive whole number, e.g. count(100)");
                }
        }
    }

    private static long positiveMillis(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(
                    "Bad window " + what + " " + d + ": it must be positive");
        }
        if (d.compareTo(MAX_SIZE) > 0) {
            throw new IllegalArgumentException(
                    "Bad window "
                            + what
                            + " "
                            + d
                            + ": at most "
                            + SpecDuration.format(MAX_SIZE.toMillis()));
        }
        return d.toMillis();
    }

    /**
     * The longest window size, slide or gap: ten years, far below where window arithmetic
     * overflows.
     */
    public static final Duration MAX_SIZE = Duration.ofDays(3650);

    /**
     * The most sliding windows one record may fall in (size / slide): each costs work per record.
     */
    public static final int MAX_WINDOWS_PER_RECORD = 10_000;

    public Kind kind() {
        return kind;
    }

    /** Event-time windows (all but count). */
    public boolean isTimeBased() {
        return kind != Kind.COUNT;
    }

    /** tumbling and sliding size, session gap. */
    public Duration size() {
        requireTime();
        return Duration.ofMillis(first);
    }

    /** The slide of a sliding window; the size for tumbling windows. */
    public Duration slide() {
        requireTime();
        return Duration.ofMillis(kind == Kind.SLIDING ? second : first);
    }

    /**
     * The end (exclusive, epoch ms) of the first tumbling or sliding window that holds event time
     * {@code t}. As Flink's assigners, windows start at multiples of the slide: {@code t}'s windows
     * are those starting in (t - size, t], ending from this to {@link #lastWindowEnd} a slide
     * apart.
     */
    public long firstWindowEnd(long t) {
        long size = sizeOfAlignedWindow();
        long slide = kind == Kind.SLIDING ? second : first;
        return t - size - Math.floorMod(t - size, slide) + slide + size;
    }

    /** The end of the last tumbling or sliding window that holds event time {@code t}. */
    public long lastWindowEnd(long t) {
        long size = sizeOfAlignedWindow();
        long slide = kind == Kind.SLIDING ? second : first;
        return t - Math.floorMod(t, slide) + size;
    }

    private long sizeOfAlignedWindow() {
        if (kind != Kind.TUMBLING && kind != Kind.SLIDING) {
            throw new IllegalStateException(this + " is not a tumbling or sliding window");
        }
        return first;
    }

    /** The number of records of a count window. */
    public long count() {
        if (kind != Kind.COUNT) {
            throw new IllegalStateException(this + " is not a count window");
        }
        return first;
    }

    private void requireTime() {
        if (kind == Kind.COUNT) {
            throw new IllegalStateException(this + " is a count window");
        }
    }

    /** The canonical form, e.g. {@code sliding(10s, 1s)}; parses back to an equal spec. */
    public String canonical() {
        switch (kind) {
            case COUNT:
                return "count(" + first + ")";
            case SLIDING:
                return "sliding("
                        + SpecDuration.format(first)
                        + ", "
                        + SpecDuration.format(second)
                        + ")";
            default:
                return kind.specName() + "(" + SpecDuration.format(first) + ")";
        }
    }

    @Override
    public String toString() {
        return canonical();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowSpec w
                && w.kind == kind
                && w.first == first
                && w.second == second;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind.ordinal(), first, second);
    }
}
