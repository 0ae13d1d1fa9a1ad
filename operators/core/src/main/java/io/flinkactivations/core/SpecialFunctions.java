package io.flinkactivations.core;

/**
 * erfc, which {@link Math} lacks, for GELU, and the vector kernels' rational forms in float. The
 * scalar kernels evaluate erfc by a two-piece fit in double (relative error below 2e-9 everywhere),
 * fitted by least squares against a double-precision erfc; the vector kernels compute GELU's Phi
 * ({@link #GELU_PHI_P}) and tanh ({@link #TANH_P}) by cheaper forms. The erfc fit:
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
     * For the vector kernels: GELU's x Phi(x) with Phi(x) = 1/2 + x P(x^2) / Q(x^2) on [-{@link
     * #GELU_PHI_LIMIT}, GELU_PHI_LIMIT], P of degree 6 and Q of degree 4 in x^2, lowest degree
     * first. They are Eigen's rational erf for float ({@code generic_fast_erf_float}, also XLA's)
     * taken to Phi by z = x / sqrt(2); {@code docs/fits/gelu_phi.py} derives them and checks them
     * as the kernel rounds: largest error 0.68 of the golden tolerance with fused multiply-adds,
     * 0.74 with a multiply and an add (KernelAgreementTest sweeps it). No exp: two short
     * polynomials that run side by side and one division, so the chain of dependent steps per
     * vector is about half of an exp-based form's.
     */
    public static final double[] GELU_PHI_P = {
        0.3989422545398019,
        0.036615067979520334,
        0.0045542093071183655,
        0.00017636187818949488,
        3.254634397810506e-06,
        -2.1459904745651184e-08,
        1.0557466595229365e-10,
    };

    /** See {@link #GELU_PHI_P}; Q(0) = 1. */
    public static final double[] GELU_PHI_Q = {
        1.0, 0.2584459884133409, 0.029492775302725233, 0.001869768301664804, 6.38202694858039e-05,
    };

    /**
     * Where {@link #GELU_PHI_P} stops: 4 sqrt(2), erf's 4. Past it 1 - Phi(|x|) < 8e-9, and Phi
     * evaluates to exactly 1 at the limit and 0 at minus it, so the kernel returns x above it and
     * -0.0 below it (NaN at -inf, as 0.5 x (1 + erf) does).
     */
    public static final float GELU_PHI_LIMIT = 5.656854f;

    /**
     * For the vector kernels: tanh(x) = x P(x^2) / Q(x^2) on [-{@link #TANH_LIMIT}, TANH_LIMIT], P
     * of degree 6 and Q of degree 3 in x^2, lowest degree first: Eigen's rational tanh for float
     * ({@code generic_fast_tanh_float}, also XLA's), P and Q divided by Q's constant. Eigen fits it
     * on [-7.9, 7.9]; from there to the limit the fraction stays within 8e-7 of 1 and passes 1, so
     * the kernel's final clamp to [-1, 1] makes tanh exactly +-1 at the limit and beyond. Largest
     * error as the kernel rounds: 0.67 of the golden tolerance (about 3 ulp near |x| = 1; PyTorch's
     * own float tanh: 0.13), 0.62-0.67 in GELU's tanh form; {@code docs/fits/tanh.py} computes it
     * and KernelAgreementTest sweeps it. No exp and no call: two short polynomials and a division.
     */
    public static final double[] TANH_P = {
        0.9999998719479379,
        0.1302255336823433,
        0.0030360983153184112,
        1.0467499187504161e-05,
        -1.7583789182401143e-08,
        4.087417207402143e-11,
        -5.6416762410444755e-14,
    };

    /** See {@link #TANH_P}; Q(0) = 1. */
    public static final double[] TANH_Q = {
        1.0, 0.46355838509634517, 0.024222763997786688, 0.00024486609330362513,
    };

    /** Where {@link #TANH_P} stops: the fraction is 1 + 5e-7 there, so tanh clamps to 1. */
    public static final float TANH_LIMIT = 10f;

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
