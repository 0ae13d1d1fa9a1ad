package io.flinkactivations.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * The softmax family along dim 0 in online form: a running (max, sum of exp(t - max)) per feature,
 * updated one record at a time and mergeable with another in any order, as Flink's
 * {@code AggregateFunction#merge} and session windows need. {@link #normalize} then turns each
 * record into the same output as the batch kernel over all records (within the golden rule).
 *
 * <p>NaN and infinities follow the batch form: a NaN or +inf in a feature makes that feature NaN for
 * every record, and a feature that is -inf in every record is NaN.
 */
public final class OnlineSoftmax {
    private final ActivationSpec spec;
    private final SoftmaxMath math;
    private final float[] max;
    private final double[] sum;
    private long count;

    /** An empty state for records of {@code dimension} features. */
    public OnlineSoftmax(ActivationSpec spec, int dimension) {
        this(spec, filled(dimension), new double[dimension], 0);
    }

    /** A state restored from its parts (see {@link #maxes()}, {@link #sums()}, {@link #count()}). */
    public OnlineSoftmax(ActivationSpec spec, float[] maxes, double[] sums, long count) {
        if (!spec.activation().isNormalizing()) {
            throw new IllegalArgumentException(spec + " is element-wise; online form is for softmax, log_softmax, softmin");
        }
        if (maxes.length != sums.length) {
            throw new IllegalArgumentException("maxes and sums differ in length");
        }
        this.spec = spec;
        this.math = new SoftmaxMath(spec);
        this.max = maxes;
        this.sum = sums;
        this.count = count;
    }

    private static float[] filled(int dimension) {
        float[] m = new float[dimension];
        Arrays.fill(m, Float.NEGATIVE_INFINITY);
        return m;
    }

    public int dimension() {
        return max.length;
    }

    /** How many records were added, including through merges. */
    public long count() {
        return count;
    }

    /** Adds one record of {@link #dimension()} features starting at {@code off}. */
    public void add(float[] record, int off) {
        Objects.checkFromIndexSize(off, max.length, record.length);
        for (int j = 0; j < max.length; j++) {
            float t = math.transform(record[off + j]);
            float m = max[j];
            float newMax = Math.max(m, t); // keeps NaN
            if (newMax != m) { // NaN != anything: a NaN max makes the sum NaN too
                sum[j] *= Math.exp(m - newMax);
                max[j] = newMax;
            }
            if (newMax != Float.NEGATIVE_INFINITY) { // while all are -inf the sum stays 0
                sum[j] += Math.exp(t - newMax);
            }
        }
        count++;
    }

    /** Adds {@code other}'s records into this state; {@code other} is unchanged. */
    public void merge(OnlineSoftmax other) {
        if (other.max.length != max.length) {
            throw new IllegalArgumentException(
                    "cannot merge states of dimension " + other.max.length + " into " + max.length);
        }
        for (int j = 0; j < max.length; j++) {
            float m1 = max[j];
            float m2 = other.max[j];
            float newMax = Math.max(m1, m2);
            double s = 0;
            if (m1 != Float.NEGATIVE_INFINITY) {
                s += sum[j] * Math.exp(m1 - newMax);
            }
            if (m2 != Float.NEGATIVE_INFINITY) {
                s += other.sum[j] * Math.exp(m2 - newMax);
            }
            max[j] = newMax;
            sum[j] = s;
        }
        count += other.count;
    }

    /** Writes the output for one record of the batch this state has seen. */
    public void normalize(float[] record, int inOff, float[] out, int outOff) {
        Checks.slice(record, inOff, out, outOff, max.length);
        for (int j = 0; j < max.length; j++) {
            math.finish(record, inOff + j, out, outOff + j, 1, 1, max[j], sum[j]);
        }
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
        return new OnlineSoftmax(spec, max.clone(), sum.clone(), count);
    }
}
