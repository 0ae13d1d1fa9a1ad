package io.flinkactivations.testutils;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Seeded random cases for property tests in plain JUnit 5. Each case gets a seed of its own and
 * builds its inputs from a {@link SplittableRandom} on it, so a failing case is named by its seed
 * and reruns alone:
 *
 * <pre>{@code
 * @ParameterizedTest(name = RandomCases.NAME)
 * @MethodSource("seeds")
 * void aProperty(long seed) {
 *     SplittableRandom random = new SplittableRandom(seed);
 *     ...
 * }
 *
 * static LongStream seeds() {
 *     return RandomCases.seeds(300);
 * }
 * }</pre>
 *
 * <p>A run draws new seeds each time; {@code -Dtests.seed=N} (the number a failure printed) runs
 * just that case: {@code mvn test -Dtest='Class#method' -Dtests.seed=N}. The generators favour the
 * ends of a range, as edge cases are where properties break.
 */
public final class RandomCases {
    /** The system property that repeats one case. */
    public static final String SEED_PROPERTY = "tests.seed";

    /** A display name for parameterized tests that shows a case's seed and how to rerun it. */
    public static final String NAME = "seed {0} (rerun: -D" + SEED_PROPERTY + "={0})";

    private RandomCases() {}

    /** {@code count} case seeds, or only the one {@code -Dtests.seed} gives. */
    public static LongStream seeds(int count) {
        String fixed = System.getProperty(SEED_PROPERTY);
        if (fixed != null && !fixed.isBlank()) {
            return LongStream.of(Long.decode(fixed.trim()));
        }
        return new SplittableRandom().longs(count);
    }

    /** One seed: {@code -Dtests.seed}, else a new one. */
    public static long seed() {
        return seeds(1).findFirst().orElseThrow();
    }

    /**
     * Runs {@code body} on a random of {@code seed}; a failure is rethrown with the seed and the
     * property that reruns it in its message (for a test that draws many values from one seed).
     */
    public static void check(long seed, RandomBody body) throws Exception {
        try {
            body.run(new SplittableRandom(seed));
        } catch (AssertionError | Exception e) {
            throw new AssertionError(
                    "failed with seed "
                            + seed
                            + " (rerun with -D"
                            + SEED_PROPERTY
                            + "="
                            + seed
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    /** A test body that draws its values from a seeded random. */
    @FunctionalInterface
    public interface RandomBody {
        void run(SplittableRandom random) throws Exception;
    }

    /** An int in {@code [min, max]}: each end one time in 16, else uniform. */
    public static int intBetween(SplittableRandom random, int min, int max) {
        int edge = random.nextInt(16);
        if (edge == 0) {
            return min;
        }
        if (edge == 1) {
            return max;
        }
        return (int) random.nextLong(min, (long) max + 1);
    }

    /** Random bytes, of a length in {@code [0, maxLength]}. */
    public static byte[] bytes(SplittableRandom random, int maxLength) {
        byte[] b = new byte[intBetween(random, 0, maxLength)];
        random.nextBytes(b);
        return b;
    }

    /** A string of {@code chars}, of a length in {@code [0, maxLength]}. */
    public static String string(SplittableRandom random, String chars, int maxLength) {
        int n = intBetween(random, 0, maxLength);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(chars.charAt(random.nextInt(chars.length())));
        }
        return s.toString();
    }

    /** One of {@code values}, uniformly. */
    public static <T> T oneOf(SplittableRandom random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
