package io.flinkactivations.core;

/**
 * erfc, which {@link Math} lacks, for GELU. The scalar kernels evaluate a two-piece fit in double
 * (relative error below 2e-9 everywhere), fitted by least squares against a double-precision erfc;
 * the vector kernels compute GELU from a cheaper form in float ({@link #GELU_LOGIT}).
 *
 * <ul>
 *   <li>{@code |z| < SMALL_LIMIT}: erf(z) = z P(z^2), P of degree 7;
 *   <li>otherwise: erfc(z) = exp(-z^2 + Q(s)) / z with u = 1/z and s = 2u/U - 1 in [-1, 1], Q of
 *       degree 13 (erfc(z) z e^{z^2} is smooth in 1/z and tends to 1/sqrt(pi)).
 * </ul>
 */
final class SpecialFunctions {
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
        0.0009103172607629737, -0.0004862892038057611, 0.00014177851993100337,
                0.00011098430415317859,
        -0.0001484673914872319, 4.905259730939021e-05,
    };

    /**
     * For the vector kernels: GELU's x Phi(x) as x / (1 + e^{-g(x)}), with g = logit(Phi) = log(Phi
     * / (1 - Phi)), an odd function, written g(x) = x P(x^2), P of degree 6, lowest degree first
     * (P(0) = sqrt(8 / pi); the first two terms are the tanh approximation's). Fitted on [0,
     * GELU_LOGIT_LIMIT] by weighted least squares with Lawson's iterations, each point weighted by
     * how much an error in g moves GELU's output against its golden tolerance; {@code
     * docs/fits/gelu_logit.py} refits them. Largest weighted error 0.093 of the tolerance before
     * float rounding, 0.42 after (KernelAgreementTest sweeps it). One exp and one division, as
     * SiLU; no erfc, no sign split, and an exp that needs no clamps here (faster than an erfc
     * form). Past the limit Phi(-x) < 2e-8: x / (1 + e^{-g}) rounds to x above it, and below it the
     * kernel returns x / inf (-0.0; NaN at -inf), within the tolerance of the tiny exact values.
     */
    public static final double[] GELU_LOGIT = {
        1.5957706151750286,
        0.07266412957578287,
        -6.34828177012733e-05,
        -0.00011120795757564659,
        8.025212186381359e-06,
        -2.7146171974017086e-07,
        3.6933481550871505e-09,
    };

    /** Where {@link #GELU_LOGIT} stops: g(5.5) = 18.3, so that e^{-g} is below half an ulp of 1. */
    public static final float GELU_LOGIT_LIMIT = 5.5f;

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
