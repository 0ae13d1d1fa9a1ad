package io.flinkactivations.jobs;

import io.flinkactivations.core.SpecDuration;
import io.flinkactivations.core.SpecSyntax;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;

/**
 * What the job does when it fails: Flink's restart strategies, as a spec in the grammar of the
 * activation and window specs ({@link SpecSyntax}):
 *
 * <ul>
 *   <li>{@code exponential-delay(initial, max, attempts)}: wait {@code initial}, doubling up to
 *       {@code max}, between restarts; fail for good after {@code attempts} restarts in a row
 *       ({@code unlimited} by default; the count starts again after an hour without failures);
 *   <li>{@code fixed-delay(attempts, delay)}: at most {@code attempts} restarts, {@code delay}
 *       apart;
 *   <li>{@code none}: the first failure ends the job.
 * </ul>
 */
@Internal
public record RestartStrategy(String type, int attempts, Duration delay, Duration maxDelay) {
    /**
     * Without --restart-strategy: restart for as long as it takes, as Flink does with checkpoints
     * on.
     */
    public static final RestartStrategy CONTINUOUS_DEFAULT =
            exponential(Duration.ofSeconds(1), Duration.ofMinutes(1), Integer.MAX_VALUE);

    /** Without --restart-strategy, with --bounded: a run that cannot finish ends with an error. */
    public static final RestartStrategy BOUNDED_DEFAULT =
            new RestartStrategy("fixed-delay", 3, Duration.ofSeconds(5), null);

    private static final String USAGE =
            "valid strategies: exponential-delay(initial, max, attempts), e.g."
                    + " exponential-delay(1s, 1m, unlimited); fixed-delay(attempts, delay), e.g. fixed-delay(3, 10s); none";

    static RestartStrategy exponential(Duration initial, Duration max, int attempts) {
        return new RestartStrategy("exponential-delay", attempts, initial, max);
    }

    /** Parses a spec; the exception message says what is wrong and what is valid. */
    public static RestartStrategy parse(String text) {
        SpecSyntax.Call call;
        try {
            call = SpecSyntax.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Bad restart strategy: " + e.getMessage() + "; " + USAGE);
        }
        String name = call.name().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "none" -> {
                args(text, call, List.of());
                yield new RestartStrategy("none", 0, null, null);
            }
            case "fixed-delay" -> {
                String[] v = args(text, call, List.of("attempts", "delay"));
                yield new RestartStrategy(
                        "fixed-delay",
                        attempts(v[0], 3),
                        duration(v[1], Duration.ofSeconds(10)),
                        null);
            }
            case "exponential-delay" -> {
                String[] v = args(text, call, List.of("initial", "max", "attempts"));
                Duration initial = duration(v[0], Duration.ofSeconds(1));
                Duration max = duration(v[1], Duration.ofMinutes(1));
                if (max.compareTo(initial) < 0) {
                    throw new IllegalArgumentException(
                            "Bad restart strategy '"
                                    + text
                                    + "': max ("
                                    + max
                                    + ") is shorter than initial ("
                                    + initial
                                    + ")");
                }
                yield exponential(initial, max, attempts(v[2], Integer.MAX_VALUE));
            }
            default ->
                    throw new IllegalArgumentException(
                            "Unknown restart strategy '"
                                    + call.name()
                                    + "';"
                                    + SpecSyntax.didYouMean(
                                            call.name(),
                                            List.of("exponential-delay", "fixed-delay", "none"))
                                    + " "
                                    + USAGE);
        };
    }

    private static String[] args(String text, SpecSyntax.Call call, List<String> params) {
        try {
            return SpecSyntax.bind(
                    text,
                    call,
                    params,
                    call.name().toLowerCase(Locale.ROOT) + "(" + String.join(", ", params) + ")");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Bad restart strategy: " + e.getMessage() + "; " + USAGE, e);
        }
    }

    private static int attempts(String value, int otherwise) {
        if (value == null) {
            return otherwise;
        }
        if (value.equalsIgnoreCase("unlimited")) {
            return Integer.MAX_VALUE;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(
                "Bad restart attempts '" + value + "': a whole number from 0, or unlimited");
    }

    private static Duration duration(String value, Duration otherwise) {
        return value == null ? otherwise : SpecDuration.parse(value, "restart delay");
    }

    /** The Flink settings of this strategy. */
    public void applyTo(Configuration conf) {
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, type);
        switch (type) {
            case "fixed-delay" -> {
                conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, attempts);
                conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, delay);
            }
            case "exponential-delay" -> {
                conf.set(
                        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                        delay);
                conf.set(
                        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                        maxDelay);
                conf.set(
                        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS,
                        attempts);
            }
            default -> {}
        }
    }

    /** The canonical spec, e.g. {@code fixed-delay(3, 5s)}; parses back to an equal strategy. */
    @Override
    public String toString() {
        String n = attempts == Integer.MAX_VALUE ? "unlimited" : Integer.toString(attempts);
        return switch (type) {
            case "fixed-delay" ->
                    "fixed-delay(" + n + ", " + SpecDuration.format(delay.toMillis()) + ")";
            case "exponential-delay" ->
                    "exponential-delay("
                            + SpecDuration.format(delay.toMillis())
                            + ", "
                            + SpecDuration.format(maxDelay.toMillis())
                            + ", "
                            + n
                            + ")";
            default -> "none";
        };
    }
}
