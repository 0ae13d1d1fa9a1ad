package io.flinkactivations.core;

/**
 * erfc, which {@link Math} lacks, for GELU. The scalar kernels evaluate a two-piece fit in double
 * (relative error below 2e-9 everywhere); the vector kernels a cheaper one-piece fit in float
 * ({@link #ERFC_EXPONENT}). Both were fitted by least squares against a double-precision erfc.
 *
 * <ul>
 *   <li>{@code |z| < SMALL_LIMIT}: erf(z) = z P(z^2), P of degree 7;
 *   <li>otherwise: erfc(z) = exp(-z^2 + Q(s)) / z with u = 1/z and s = 2u/U - 1 in [-1, 1],
 *       Q of degree 13 (erfc(z) z e^{z^2} is smooth in 1/z and tends to 1/sqrt(pi)).
 * </ul>
 */
public final class SpecialFunctions {
    public static final double SMALL_LIMIT = 0.921875;
    /** 1 / SMALL_LIMIT: the largest u = 1/z of the large-argument fit. */
    public static final double U_MAX = 1 / SMALL_LIMIT;

    /** erf(z)/z as a polynomial in z^2, lowest degree first. */
    public static final double[] ERF_SMALL = {
        1.128379167088698, -0.37612638793597997, 0.11283788792897462, -0.026865883509454683,
        0.005222571535756268, -0.00085108196828776, 0.0001149530766364503, -1.0437520465243847e-05,
    };

    /** log(erfc(z) z) + z^2 as a polynomial in s = 2/(z U_MAX) - 1, lowest degree first. */
    public static final double[] ERFC_LARGE = {
        -0.6858755379012046, -0.18275531951359858, -0.0299281346471269, 0.027652308449602498,
        -0.011935200709533793, 0.0028349112646325913, 0.0006250825652299263, -0.0012495014835234297,
        0.0009103172607629737, -0.0004862892038057611, 0.00014177851993100337, 0.00011098430415317859,
        -0.0001484673914872319, 4.905259730939021e-05,
    };

    /**
     * For the vector kernels, one cheaper piece: log(erfc(a)) + a^2 as a polynomial in a on [0, 4],
     * lowest degree first (degree 11). erfc(a) = exp(-a^2 + R(min(a, 4))): absolute error below 1.5e-7
     * in float (a fifth of GELU's golden tolerance); past a = 4, where erfc < 2e-8, the clamp only
     * overestimates values that are negligible. No division, no second branch.
     */
    public static final double[] ERFC_EXPONENT = {
        7.324879317002308e-08, -1.1283819428700754, 0.36340568306472604, -0.10287017865217704,
        0.01931639692133313, 2.7165215611654834e-05, -0.0016521091911006012, 0.0006906760342433227,
        -0.00016333837192652591, 2.4064996485752263e-05, -2.059809663097509e-06, 7.845267110439388e-08,
    };
    /** Where {@link #ERFC_EXPONENT} stops. */
    public static final float ERFC_EXPONENT_LIMIT = 4f;

    private SpecialFunctions() {}

    /** The complementary error function; NaN for NaN, 2 at -inf, 0 at +inf. */
    public static double erfc(double z) {
        if (z < 0) {
            return 2 - erfcNonNegative(-z);
        }
        return erfcNonNegative(z); // NaN falls through to NaN
    }

    private static double erfcNonNegative(double z) {
        if (z < SMALL_LIMIT) {
            return 1 - z * horner(ERF_SMALL, z * z);
        }
        if (z > 27) {
            return 0; // below the smallest double
        }
        double s = 2 / (z * U_MAX) - 1;
        return Math.exp(-z * z + horner(ERFC_LARGE, s)) / z;
    }

    static double horner(double[] c, double x) {
        double r = c[c.length - 1];
        for (int i = c.length - 2; i >= 0; i--) {
            r = r * x + c[i];
        }
        return r;
    }
}
