package io.flinkactivations.testutils;

/**
 * The rule of {@code golden/README.md} that says when a float32 output element is close enough to
 * PyTorch's. Reads as the README does; the comments number its clauses.
 */
public final class GoldenRule {
    private static final double TWO_POW_MINUS_22 = 0x1p-22;

    /** How the tolerance of clause 4 scales for an op. */
    public enum Scale {
        ELEMENTWISE,
        SOFTMAX, // also softmin: m is then the min
        SOFTMIN,
        LOG_SOFTMAX;

        public static Scale of(String op) {
            return switch (op) {
                case "softmax" -> SOFTMAX;
                case "softmin" -> SOFTMIN;
                case "log_softmax" -> LOG_SOFTMAX;
                default -> ELEMENTWISE;
            };
        }
    }

    private GoldenRule() {}

    /**
     * Returns null when every element passes, else a message naming the first failing element.
     *
     * @param input the op's input, row-major {@code rows x cols}, normalised along dim 0 (the
     *     rows); a single vector of D values is {@code D x 1}
     * @param t PyTorch's float32 output
     * @param r the float64 reference
     * @param actual our output
     */
    public static String check(
            String what,
            Scale scale,
            float[] input,
            int rows,
            int cols,
            float[] t,
            double[] r,
            float[] actual) {
        if (actual.length != t.length || t.length != input.length) {
            return what + ": length " + actual.length + ", expected " + t.length;
        }
        double[] colExtreme = new double[cols]; // m: the max (softmin: min) of the finite values
        double[] colBigAbs = new double[cols]; // M: the largest finite |x|
        columnStats(scale, input, rows, cols, colExtreme, colBigAbs);
        for (int i = 0; i < actual.length; i++) {
            double s = scaleFor(scale, input[i], r[i], colExtreme[i % cols], colBigAbs[i % cols]);
            if (!passes(actual[i], t[i], r[i], s)) {
                return String.format(
                        "%s: index %d (row %d, col %d): input %s, expected %s (f64 %s), actual %s",
                        what, i, i / cols, i % cols, input[i], t[i], r[i], actual[i]);
            }
        }
        return null;
    }

    /** One element. {@code s} is clause 4's scale. */
    public static boolean passes(float a, float t, double r, double s) {
        // 1. NaN must propagate exactly where PyTorch's does
        if ((Float.isNaN(t) || Double.isNaN(r)) && Float.isNaN(a)) {
            return true;
        }
        // 2. bit-exact with PyTorch, infinities included
        if (a == t) {
            return true;
        }
        // 3. PyTorch overflowed an intermediate
        if (Float.isInfinite(t) && Double.isFinite(r)) {
            return Math.abs(a - r) <= 4 * ulp(r);
        }
        // 4. close to the float64 reference
        if (Double.isFinite(r) && Float.isFinite(a)) {
            double e = Math.abs(a - r);
            return e <= 4 * ulp(r) || e <= 2 * Math.abs(t - r) || e <= TWO_POW_MINUS_22 * s;
        }
        return false;
    }

    /** The float32 spacing at |v|. */
    public static double ulp(double v) {
        float f = (float) Math.abs(v);
        return Math.ulp(Float.isInfinite(f) ? Float.MAX_VALUE : f);
    }

    private static void columnStats(
            Scale scale, float[] x, int rows, int cols, double[] extreme, double[] bigAbs) {
        java.util.Arrays.fill(
                extreme,
                scale == Scale.SOFTMIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
        for (int i = 0; i < rows * cols; i++) {
            float v = x[i];
            int col = i % cols;
            if (Float.isFinite(v)) {
                extreme[col] =
                        scale == Scale.SOFTMIN
                                ? Math.min(extreme[col], v)
                                : Math.max(extreme[col], v);
                bigAbs[col] = Math.max(bigAbs[col], Math.abs(v));
            }
        }
    }

    private static double scaleFor(Scale scale, float x, double r, double m, double bigAbs) {
        return switch (scale) {
            case ELEMENTWISE -> Math.max(1, Math.abs(x));
            case LOG_SOFTMAX -> 1 + Math.abs(x) + bigAbs;
            case SOFTMAX, SOFTMIN -> Math.abs(r) * (1 + Math.abs(x - m));
        };
    }
}
