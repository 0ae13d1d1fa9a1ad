package io.flinkactivations.testutils;

/**
 * The softmax family along dim 0 in float64, independent of the kernels under test: the reference a
 * window's float32 outputs are checked against by {@link GoldenRule}. Finite inputs only.
 */
public final class ReferenceSoftmax {
    private ReferenceSoftmax() {}

    /**
     * {@code op} ({@code softmax}, {@code log_softmax} or {@code softmin}) at {@code temperature}
     * over the {@code rows x cols} row-major {@code batch}, each column normalised across the rows.
     */
    public static double[] alongDim0(
            String op, double temperature, float[] batch, int rows, int cols) {
        double sign = op.equals("softmin") ? -1 : 1;
        double[] out = new double[rows * cols];
        for (int c = 0; c < cols; c++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int r = 0; r < rows; r++) {
                max = Math.max(max, sign * batch[r * cols + c] / temperature);
            }
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                sum += Math.exp(sign * batch[r * cols + c] / temperature - max);
            }
            for (int r = 0; r < rows; r++) {
                double t = sign * batch[r * cols + c] / temperature - max;
                out[r * cols + c] =
                        op.equals("log_softmax") ? t - Math.log(sum) : Math.exp(t) / sum;
            }
        }
        return out;
    }

    /** The reference rounded to float32, as PyTorch's float32 output would be at best. */
    public static float[] toFloat(double[] reference) {
        float[] f = new float[reference.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) reference[i];
        }
        return f;
    }
}
