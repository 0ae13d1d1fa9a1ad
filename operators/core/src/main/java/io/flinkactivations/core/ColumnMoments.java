package io.flinkactivations.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * The statistics of batch_norm and running_batch_norm (per feature: mean and sum of squared
 * deviations, over a count shared by all features) and of min_max and max_abs (per feature: minimum
 * and maximum). A batch is summed in double, its deviations taken around its own mean in a second
 * pass (exact within a chunk that is in cache), then merged into the totals by Chan's rule; merging
 * parts in any order gives the same outputs within the golden rule. One implementation serves both
 * kernel paths: the column loops are plain array arithmetic that the JIT vectorises.
 *
 * <p>NaN and infinities come out as the formulas give them in IEEE arithmetic: a NaN in a feature
 * makes it NaN in every record; for batch_norm so does an infinity; for the scalers an infinite
 * minimum or maximum makes the finite values 0 and the infinite ones NaN.
 */
final class ColumnMoments implements ColumnStatistics {
    private final ActivationSpec spec;
    private final boolean moments; // batch_norm: mean and M2; else min and max
    private final double eps;
    private final double[] a; // mean, or min
    private final double[] b; // sum of squared deviations, or max
    private long count;
    // scratch: one batch's column sums and deviations, and the output's centre and factor
    private double[] batchA;
    private double[] batchB;
    private float[] center;
    private float[] factor;

    ColumnMoments(ActivationSpec spec, int dimension) {
        this.spec = spec;
        this.moments =
                spec.activation() == Activation.BATCH_NORM
                        || spec.activation() == Activation.RUNNING_BATCH_NORM;
        this.eps = spec.activation() == Activation.BATCH_NORM ? spec.value(0) : 0;
        this.a = new double[dimension];
        this.b = new double[dimension];
        clear();
    }

    @Override
    public ActivationSpec spec() {
        return spec;
    }

    @Override
    public int dimension() {
        return a.length;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public void clear() {
        Arrays.fill(a, moments ? 0 : Double.POSITIVE_INFINITY);
        Arrays.fill(b, moments ? 0 : Double.NEGATIVE_INFINITY);
        count = 0;
    }

    @Override
    public void addRows(float[] rows, int off, int n) {
        int d = a.length;
        Objects.checkFromIndexSize(off, Checks.batchLength(n, d), rows.length);
        if (n == 0) {
            return;
        }
        if (!moments) {
            for (int r = 0, i = off; r < n; r++, i += d) {
                for (int j = 0; j < d; j++) {
                    float x = rows[i + j];
                    // Math.min and max keep NaN
                    a[j] = Math.min(a[j], x);
                    b[j] = Math.max(b[j], x);
                }
            }
            count += n;
            return;
        }
        if (batchA == null) {
            batchA = new double[d];
            batchB = new double[d];
        }
        int chunk = Math.max(1, OnlineSoftmax.CACHED_FLOATS / d);
        for (int r0 = 0; r0 < n; r0 += chunk) {
            int m = Math.min(chunk, n - r0);
            int first = off + r0 * d;
            Arrays.fill(batchA, 0);
            Arrays.fill(batchB, 0);
            for (int r = 0, i = first; r < m; r++, i += d) {
                for (int j = 0; j < d; j++) {
                    batchA[j] += rows[i + j];
                }
            }
            for (int j = 0; j < d; j++) {
                batchA[j] /= m;
            }
            for (int r = 0, i = first; r < m; r++, i += d) {
                for (int j = 0; j < d; j++) {
                    double dev = rows[i + j] - batchA[j];
                    batchB[j] += dev * dev;
                }
            }
            mergeMoments(batchA, batchB, m);
        }
    }

    /**
     * Chan's rule: adds a part of {@code n} records with means {@code mean} and sums {@code m2}.
     */
    private void mergeMoments(double[] mean, double[] m2, long n) {
        if (n == 0) {
            return;
        }
        long total = count + n;
        double wa = (double) count / total;
        double wb = (double) n / total;
        for (int j = 0; j < a.length; j++) {
            if (count == 0) {
                a[j] = mean[j];
                b[j] = m2[j];
            } else {
                double delta = mean[j] - a[j];
                // as weights, so a mean of 1e308 does not overflow; NaN and inf pass through
                a[j] = a[j] * wa + mean[j] * wb;
                b[j] = b[j] + m2[j] + delta * delta * count * wb;
            }
        }
        count = total;
    }

    @Override
    public void merge(double[] partState, long n) {
        int d = a.length;
        if (partState.length != 2 * d) {
            throw new IllegalArgumentException(
                    "cannot merge statistics of dimension " + partState.length / 2 + " into " + d);
        }
        if (moments) {
            mergeMoments(
                    Arrays.copyOfRange(partState, 0, d),
                    Arrays.copyOfRange(partState, d, 2 * d),
                    n);
            return;
        }
        for (int j = 0; j < d; j++) {
            a[j] = Math.min(a[j], partState[j]);
            b[j] = Math.max(b[j], partState[d + j]);
        }
        count += n;
    }

    @Override
    public double[] state() {
        int d = a.length;
        double[] s = Arrays.copyOf(a, 2 * d);
        System.arraycopy(b, 0, s, d, d);
        return s;
    }

    @Override
    public void normalizeRows(float[] rows, int inOff, int n, float[] out, int outOff) {
        int d = a.length;
        Checks.slice(rows, inOff, out, outOff, Checks.batchLength(n, d));
        if (center == null) {
            center = new float[d];
            factor = new float[d];
        }
        for (int j = 0; j < d; j++) {
            switch (spec.activation()) {
                case BATCH_NORM, RUNNING_BATCH_NORM -> {
                    center[j] = (float) a[j];
                    double dev = a[j] - center[j]; // to the exact mean, as layer_norm
                    double variance = b[j] / count - dev * dev;
                    factor[j] = (float) (1 / Math.sqrt(Math.max(variance, 0) + eps));
                }
                case MIN_MAX -> {
                    double range = b[j] - a[j];
                    center[j] = (float) a[j];
                    factor[j] = range == 0 ? 0f : (float) (1 / range); // constant: 0
                }
                default -> { // MAX_ABS
                    double m = Math.max(Math.abs(a[j]), Math.abs(b[j])); // max keeps NaN
                    center[j] = 0f;
                    factor[j] = m == 0 ? 0f : (float) (1 / m);
                }
            }
        }
        for (int r = 0; r < n; r++) {
            int i = inOff + r * d;
            int o = outOff + r * d;
            for (int j = 0; j < d; j++) {
                out[o + j] = (rows[i + j] - center[j]) * factor[j];
            }
        }
    }

    @Override
    public String toString() {
        return spec + " statistics of " + count + " x " + a.length;
    }
}
