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
        LOG_SOFTMAX,
        /** The normalizations, y = (x - c) / d along the normalised dimension. */
        AFFINE;

        public static Scale of(String op) {
            return switch (op) {
                case "softmax" -> SOFTMAX;
                case "softmin" -> SOFTMIN;
                case "log_softmax" -> LOG_SOFTMAX;
                case "layer_norm", "normalize", "rms_norm", "batch_norm", "min_max", "max_abs" ->
                        AFFINE;
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
        return check(what, scale, input, rows, cols, 1, t, r, actual);
    }

    /**
     * As {@link #check(String, Scale, float[], int, int, float[], double[], float[])}, for a vector
     * ({@code cols == 1}) normalised in {@code groups} equal, contiguous groups.
     */
    public static String check(
            String what,
            Scale scale,
            float[] input,
            int rows,
            int cols,
            int groups,
            float[] t,
            double[] r,
            float[] actual) {
        if (actual.length != t.length || t.length != input.length) {
            return what + ": length " + actual.length + ", expected " + t.length;
        }
        int lanes = groups > 1 ? groups : cols;
        int groupSize = groups > 1 ? input.length / groups : 0;
        int[] lane = new int[input.length];
        for (int i = 0; i < lane.length; i++) {
            lane[i] = groups > 1 ? i / groupSize : i % cols;
        }
        double[] colExtreme = new double[lanes]; // m: the max (softmin: min) of the finite values
        double[] colBigAbs = new double[lanes]; // M: the largest finite |x|
        double[] slope = new double[lanes]; // k: |dr / dx| of an affine normalization
        columnStats(scale, input, r, lane, colExtreme, colBigAbs, slope);
        for (int i = 0; i < actual.length; i++) {
            int l = lane[i];
            double s = scaleFor(scale, input[i], r[i], colExtreme[l], colBigAbs[l], slope[l]);
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
            Scale scale,
            float[] x,
            double[] r,
            int[] lane,
            double[] extreme,
            double[] bigAbs,
            double[] slope) {
        int lanes = extreme.length;
        java.util.Arrays.fill(
                extreme,
                scale == Scale.SOFTMIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
        double[] xLo = new double[lanes];
        double[] xHi = new double[lanes];
        double[] rLo = new double[lanes];
        double[] rHi = new double[lanes];
        java.util.Arrays.fill(xLo, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(xHi, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(rLo, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(rHi, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            int col = lane[i];
            if (Float.isFinite(v)) {
                extreme[col] =
                        scale == Scale.SOFTMIN
                                ? Math.min(extreme[col], v)
                                : Math.max(extreme[col], v);
                bigAbs[col] = Math.max(bigAbs[col], Math.abs(v));
                if (Double.isFinite(r[i])) {
                    xLo[col] = Math.min(xLo[col], v);
                    xHi[col] = Math.max(xHi[col], v);
                    rLo[col] = Math.min(rLo[col], r[i]);
                    rHi[col] = Math.max(rHi[col], r[i]);
                }
            }
        }
        for (int l = 0; l < lanes; l++) {
            slope[l] = xHi[l] > xLo[l] ? (rHi[l] - rLo[l]) / (xHi[l] - xLo[l]) : 0;
        }
    }

    private static double scaleFor(
            Scale scale, float x, double r, double m, double bigAbs, double slope) {
        return switch (scale) {
            case ELEMENTWISE -> Math.max(1, Math.abs(x));
            case LOG_SOFTMAX -> 1 + Math.abs(x) + bigAbs;
            case SOFTMAX, SOFTMIN -> Math.abs(r) * (1 + Math.abs(x - m));
            case AFFINE -> 1 + Math.abs(r) + slope * (Math.abs(x) + bigAbs);
        };
    }
}
