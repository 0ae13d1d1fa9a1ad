package io.flinkactivations.core;

import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The softmax family along dim 0 in online form: a running (max, sum of exp(t - max)) per feature,
 * updated one record at a time and mergeable with another in any order, as Flink's {@code
 * AggregateFunction#merge} and session windows need. {@link #normalize} then turns each record into
 * the same output as the batch kernel over all records (within the golden rule).
 *
 * <p>NaN and infinities follow the batch form: a NaN or +inf in a feature makes that feature NaN
 * for every record, and a feature that is -inf in every record is NaN.
 */
@PublicEvolving
public final class OnlineSoftmax implements ColumnStatistics {
    /**
     * Rows are taken in chunks of at most this many floats (256 KiB, within a core's L2 cache);
     * window operators hand rows over in chunks of this size too.
     */
    public static final int CACHED_FLOATS = 64 * 1024;

    private final SoftmaxKernel kernel;
    private final float[] max;
    private final double[] sum;
    private long count;
    // scratch: one batch's column statistics, and the output scale (1/sum or log(sum))
    private float[] batchMax;
    private float[] batchSum;
    private float[] scale;

    /** An empty state for records of {@code dimension} features. */
    public OnlineSoftmax(ActivationSpec spec, int dimension) {
        this(spec, filled(dimension), new double[dimension], 0);
    }

    /**
     * A state restored from its parts (see {@link #maxes()}, {@link #sums()}, {@link #count()}).
     */
    public OnlineSoftmax(ActivationSpec spec, float[] maxes, double[] sums, long count) {
        this(Kernels.get(), spec, maxes, sums, count);
    }

    /**
     * An empty state on a given implementation (see {@link Kernels#vector()}, {@link
     * Kernels#scalar()}).
     */
    public OnlineSoftmax(Kernels kernels, ActivationSpec spec, int dimension) {
        this(kernels, spec, filled(dimension), new double[dimension], 0);
    }

    /** On a given implementation (tests compare them). */
    OnlineSoftmax(Kernels kernels, ActivationSpec spec, float[] maxes, double[] sums, long count) {
        if (spec.isChain()
                || spec.activation().kind() != Activation.Kind.SOFTMAX
                || spec.groups() != 1) {
            throw new IllegalArgumentException(
                    spec + ": the online form is for softmax, log_softmax, softmin without groups");
        }
        if (maxes.length != sums.length) {
            throw new IllegalArgumentException("maxes and sums differ in length");
        }
        this.kernel = (SoftmaxKernel) kernels.kernel(spec);
        this.max = maxes;
        this.sum = sums;
        this.count = count;
    }

    OnlineSoftmax(SoftmaxKernel kernel, float[] maxes, double[] sums, long count) {
        this.kernel = kernel;
        this.max = maxes;
        this.sum = sums;
        this.count = count;
    }

    static float[] filled(int dimension) {
        float[] m = new float[dimension];
        Arrays.fill(m, Float.NEGATIVE_INFINITY);
        return m;
    }

    @Override
    public ActivationSpec spec() {
        return kernel.spec();
    }

    @Override
    public int dimension() {
        return max.length;
    }

    @Override
    public long count() {
        return count;
    }

    /** Adds one record of {@link #dimension()} features starting at {@code off}. */
    public void add(float[] record, int off) {
        addRows(record, off, 1);
    }

    @Override
    public void addRows(float[] rows, int off, int n) {
        int d = max.length;
        Objects.checkFromIndexSize(off, Checks.batchLength(n, d), rows.length);
        if (n == 0) {
            return;
        }
        if (batchMax == null) {
            batchMax = new float[d];
            batchSum = new float[d];
        }
        // in chunks that stay in cache: the column walk strides down the rows, which stops
        // streaming from memory once the batch outgrows the cache (several times slower per value)
        int chunk = Math.max(1, CACHED_FLOATS / d);
        for (int r = 0; r < n; r += chunk) {
            kernel.columnStats(rows, off + r * d, Math.min(chunk, n - r), d, batchMax, batchSum);
            for (int j = 0; j < d; j++) {
                fold(j, batchMax[j], batchSum[j]);
            }
        }
        count += n;
    }

    /** Adds {@code other}'s records into this state; {@code other} is unchanged. */
    public void merge(OnlineSoftmax other) {
        merge(other.max, other.sum, other.count);
    }

    /**
     * Adds a part given by its statistics (see {@link #maxes()}, {@link #sums()}) of {@code n}
     * records; the arrays are only read.
     */
    public void merge(float[] partMaxes, double[] partSums, long n) {
        if (partMaxes.length != max.length || partSums.length != max.length) {
            throw new IllegalArgumentException(
                    "cannot merge statistics of dimension "
                            + partMaxes.length
                            + " into "
                            + max.length);
        }
        for (int j = 0; j < max.length; j++) {
            fold(j, partMaxes[j], partSums[j]);
        }
        count += n;
    }

    /** The maxes, then the sums: {@code 2 x dimension()} values. */
    @Override
    public double[] state() {
        int d = max.length;
        double[] s = new double[2 * d];
        for (int j = 0; j < d; j++) {
            s[j] = max[j];
        }
        System.arraycopy(sum, 0, s, d, d);
        return s;
    }

    @Override
    public void merge(double[] partState, long n) {
        int d = max.length;
        if (partState.length != 2 * d) {
            throw new IllegalArgumentException(
                    "cannot merge statistics of dimension " + partState.length / 2 + " into " + d);
        }
        for (int j = 0; j < d; j++) {
            fold(j, (float) partState[j], partState[d + j]);
        }
        count += n;
    }

    @Override
    public void clear() {
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0);
        count = 0;
    }

    /** Folds another part's (max, sum of exp(t - max)) of feature j into this state, in double. */
    private void fold(int j, float m2, double s2) {
        float m1 = max[j];
        float newMax = Math.max(m1, m2); // keeps NaN, which then makes the sum NaN
        double s = 0;
        if (m1 != Float.NEGATIVE_INFINITY) { // a part that saw only -inf adds nothing
            s += m1 == newMax ? sum[j] : sum[j] * Math.exp(m1 - newMax);
        }
        if (m2 != Float.NEGATIVE_INFINITY) {
            s += m2 == newMax ? s2 : s2 * Math.exp(m2 - newMax);
        }
        max[j] = newMax;
        sum[j] = s;
    }

    /** Writes the output for one record of the batch this state has seen. */
    public void normalize(float[] record, int inOff, float[] out, int outOff) {
        normalizeRows(record, inOff, 1, out, outOff);
    }

    @Override
    public void normalizeRows(float[] rows, int inOff, int n, float[] out, int outOff) {
        int d = max.length;
        Checks.slice(rows, inOff, out, outOff, Checks.batchLength(n, d));
        if (scale == null) {
            scale = new float[d];
        }
        boolean log = spec().activation().logsOutput();
        for (int j = 0; j < d; j++) {
            scale[j] = (float) (log ? Math.log(sum[j]) : 1 / sum[j]);
        }
        kernel.normalizeColumns(rows, inOff, n, d, max, scale, out, outOff);
    }

    /** The running max of each feature (of the transformed values); live, not a copy. */
    public float[] maxes() {
        return max;
    }

    /** The running sum of exp(t - max) of each feature; live, not a copy. */
    public double[] sums() {
        return sum;
    }

    /** A deep copy. */
    public OnlineSoftmax copy() {
        return new OnlineSoftmax(kernel, max.clone(), sum.clone(), count);
    }
}
