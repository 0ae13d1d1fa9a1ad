package io.flinkactivations.core;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Durations as the specs and flags write them: a whole number and a unit, {@code ms}, {@code s},
 * {@code m}, {@code h} or {@code d} ({@code 500ms}, {@code 10s}, {@code 10 s}, {@code 5m}), always
 * a whole number of milliseconds.
 */
@PublicEvolving
public final class SpecDuration {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private SpecDuration() {}

    /**
     * Parses {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d}; {@code what} names the
     * value in the error, e.g. {@code size}.
     */
    public static Duration parse(String text, String what) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "Bad "
                            + what
                            + " '"
                            + text
                            + "': write a whole number with a unit (ms, s, m, h, d), e.g. 500ms, 10s, 5m");
        }
        try {
            long n = Long.parseLong(m.group(1));
            Duration d =
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    };
            d.toMillis(); // every duration here is used in milliseconds
            return d;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("Bad " + what + " '" + text + "': too large");
        }
    }

    /** The shortest exact form: 1500ms, 10s, 5m, 1h, 1d. */
    public static String format(long millis) {
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (millis != 0 && millis % units[i] == 0) {
                return millis / units[i] + names[i];
            }
        }
        return millis + "ms";
    }

    /** {@link #format(long)} of a duration's milliseconds. */
    public static String format(Duration d) {
        return format(d.toMillis());
    }
}
