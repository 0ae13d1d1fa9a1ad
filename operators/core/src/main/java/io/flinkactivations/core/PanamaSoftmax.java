package io.flinkactivations.core;

import static io.flinkactivations.core.PanamaMath.L;
import static io.flinkactivations.core.PanamaMath.S;
import static jdk.incubator.vector.VectorOperators.LOG;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.MIN;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The softmax family on the Vector API. Every e^(t - max) is the inline exp of a non-positive
 * number ({@link PanamaMath#expOfNonPositiveDownToZero}): the JDK's exp is a call, which spills
 * every vector live across it and costs more than the rest of the pass. One vector: block by block,
 * the block's max, then e^(t - block max) into the output and their sum in double lanes ({@link
 * #expsInto}, {@link PanamaMath#sumInDouble}, so long vectors stay accurate); then the outputs
 * under the whole vector's max. Along dim 0: three passes over the rows for L features at a time,
 * the sum in the exp loop ({@link #sumOfExp}), all in registers; leftover features use the scalar
 * form.
 */
final class PanamaSoftmax extends SoftmaxKernel {
    /**
     * Floats per block of one long vector in {@link #apply}: 8 KiB, in L1 with its outputs; a
     * multiple of every L.
     */
    private static final int BLOCK = 2048;

    PanamaSoftmax(ActivationSpec spec) {
        super(spec);
    }

    private FloatVector load(float[] a, int off) {
        FloatVector v = FloatVector.fromArray(S, a, off);
        if (math.negate) {
            v = v.neg();
        }
        return math.scaled ? v.div(math.temperature) : v;
    }

    /**
     * Kahan's compensated sum of e^(t - max) over {@code count} vectors of {@code in}, {@code step}
     * floats apart from {@code from} (t the input after the op's sign and temperature), in float
     * lanes; each e^(t - max) is also written to {@code exps} at the same place from {@code
     * expsFrom} unless it is null. The exp is inline, so the max and the sum stay in registers.
     */
    private FloatVector sumOfExp(
            float[] in,
            int from,
            int step,
            int count,
            FloatVector max,
            float[] exps,
            int expsFrom) {
        FloatVector sum = FloatVector.zero(S);
        FloatVector comp = FloatVector.zero(S);
        for (int r = 0, i = from, o = expsFrom; r < count; r++, i += step, o += step) {
            FloatVector e = PanamaMath.expOfNonPositiveDownToZero(load(in, i).sub(max));
            if (exps != null) {
                e.intoArray(exps, o);
            }
            FloatVector y = e.sub(comp);
            FloatVector t = sum.add(y);
            comp = t.sub(sum).sub(y);
            sum = t;
        }
        return sum.sub(comp);
    }

    /** e^(t - max) of {@code count} vectors of {@code in} into {@code out}. */
    private void expsInto(float[] in, int from, int count, float max, float[] out, int outFrom) {
        for (int r = 0, i = from, o = outFrom; r < count; r++, i += L, o += L) {
            PanamaMath.expOfNonPositiveDownToZero(load(in, i).sub(max)).intoArray(out, o);
        }
    }

    /**
     * The max of t over {@code count} vectors of {@code in} from {@code from}: the max of x, or for
     * softmin (t = -x / temperature) the min, then t of it, since dividing by a positive
     * temperature keeps the order. Four running maxes: a float max with Java's NaN and signed-zero
     * rules is several dependent instructions, and one running max would wait for each before the
     * next. Plain loads, so that nothing in the loop is a call C2 might leave out of line.
     */
    private float maxOfT(float[] in, int from, int count) {
        return math.transform(
                math.negate ? extremeOf(in, from, count, false) : extremeOf(in, from, count, true));
    }

    /**
     * The max ({@code max}) or min of {@code count} vectors of {@code in}, as a float: a vector
     * returned from a call that C2 leaves out of line is boxed.
     */
    private static float extremeOf(float[] in, int from, int count, boolean max) {
        FloatVector m0 =
                FloatVector.broadcast(S, max ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY);
        FloatVector m1 = m0;
        FloatVector m2 = m0;
        FloatVector m3 = m0;
        int i = from;
        int end = from + count * L;
        for (; i + 3 * L < end; i += 4 * L) {
            FloatVector v0 = FloatVector.fromArray(S, in, i);
            FloatVector v1 = FloatVector.fromArray(S, in, i + L);
            FloatVector v2 = FloatVector.fromArray(S, in, i + 2 * L);
            FloatVector v3 = FloatVector.fromArray(S, in, i + 3 * L);
            m0 = max ? m0.lanewise(MAX, v0) : m0.lanewise(MIN, v0);
            m1 = max ? m1.lanewise(MAX, v1) : m1.lanewise(MIN, v1);
            m2 = max ? m2.lanewise(MAX, v2) : m2.lanewise(MIN, v2);
            m3 = max ? m3.lanewise(MAX, v3) : m3.lanewise(MIN, v3);
        }
        for (; i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, in, i);
            m0 = max ? m0.lanewise(MAX, v) : m0.lanewise(MIN, v);
        }
        return max
                ? m0.lanewise(MAX, m1).lanewise(MAX, m2.lanewise(MAX, m3)).reduceLanes(MAX)
                : m0.lanewise(MIN, m1).lanewise(MIN, m2.lanewise(MIN, m3)).reduceLanes(MIN);
    }

    /** The lane-wise max of {@code count} vectors of {@code in}, {@code step} floats apart. */
    private FloatVector maxOf(float[] in, int from, int step, int count) {
        FloatVector max = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int r = 0, i = from; r < count; r++, i += step) {
            max = max.lanewise(MAX, load(in, i));
        }
        return max;
    }

    @Override
    public void apply(float[] in, int inOff, float[] out, int outOff, int len) {
        Checks.slice(in, inOff, out, outOff, len);
        if (len == 0) {
            return;
        }
        int bound = S.loopBound(len);
        int blocks = (bound + BLOCK - 1) / BLOCK;
        // Passes 1 and 2 go block by block, so the input is read from memory once: the block's
        // max, then e^(t - block max) into out and their sum, both from L1. The max and the sum
        // of e^(t - max) so far are carried in scalars, the sum rescaled when a block raises the
        // max. Each block is a call with short loops: a single loop over a long vector is
        // compiled on stack replacement, where JDK 17's C2 boxes the vectors its loop carries (an
        // allocation per vector, half the speed at 1M).
        // softmax scales each block's exps in pass 3 by e^(block max - max) / sum
        float[] blockMaxes = blocks > 1 && !math.log ? new float[blocks] : null;
        float firstBlockMax = Float.NEGATIVE_INFINITY;
        // log_softmax in place needs its inputs in pass 3, so it keeps no exps in out
        boolean keepInputs = math.log && in == out;
        float max = Float.NEGATIVE_INFINITY;
        double sum = 0;
        for (int b = 0; b < blocks; b++) {
            int from = b * BLOCK;
            int vectors = Math.min(BLOCK, bound - from) / L;
            float blockMax = maxOfT(in, inOff + from, vectors);
            if (b == 0) {
                firstBlockMax = blockMax;
            } else if (blockMaxes != null) {
                blockMaxes[b] = blockMax;
            }
            if (blockMax == Float.NEGATIVE_INFINITY) {
                // every t is -inf: each e^(t - max) is 0, unless every t of the vector is -inf
                if (!keepInputs) {
                    Arrays.fill(out, outOff + from, outOff + from + vectors * L, 0f);
                }
                continue;
            }
            double blockSum =
                    expsAndSum(in, inOff + from, vectors, blockMax, out, outOff + from, keepInputs);
            float newMax = Math.max(max, blockMax); // NaN too
            sum = rescaled(sum, max, newMax) + rescaled(blockSum, blockMax, newMax);
            max = newMax;
        }
        if (bound < len) {
            float tailMax = Float.NEGATIVE_INFINITY;
            for (int i = bound; i < len; i++) {
                tailMax = Math.max(tailMax, math.transform(in[inOff + i]));
            }
            if (tailMax != Float.NEGATIVE_INFINITY) {
                double tailSum = 0;
                for (int i = bound; i < len; i++) {
                    tailSum += Math.exp(math.transform(in[inOff + i]) - tailMax);
                }
                float newMax = Math.max(max, tailMax);
                sum = rescaled(sum, max, newMax) + rescaled(tailSum, tailMax, newMax);
                max = newMax;
            }
        }
        if (max == Float.NEGATIVE_INFINITY) {
            // every t is -inf: t - max is NaN, as in PyTorch
            Arrays.fill(out, outOff, outOff + len, Float.NaN);
            return;
        }
        // pass 3: outputs
        if (math.log) {
            float logSum = (float) Math.log(sum);
            for (int i = 0; i < bound; i += L) {
                load(in, inOff + i).sub(max).sub(logSum).intoArray(out, outOff + i);
            }
            for (int i = bound; i < len; i++) {
                out[outOff + i] = (math.transform(in[inOff + i]) - max) - logSum;
            }
        } else {
            for (int b = 0; b < blocks; b++) {
                int from = b * BLOCK;
                int to = Math.min(from + BLOCK, bound);
                float blockMax = b == 0 ? firstBlockMax : blockMaxes[b];
                float scale = (float) (rescaled(1, blockMax, max) / sum);
                for (int i = from; i < to; i += L) {
                    FloatVector.fromArray(S, out, outOff + i).mul(scale).intoArray(out, outOff + i);
                }
            }
            for (int i = bound; i < len; i++) {
                out[outOff + i] = (float) (Math.exp(math.transform(in[inOff + i]) - max) / sum);
            }
        }
    }

    /**
     * A sum of e^(t - from) as a sum of e^(t - to); without a call to exp where it can, which would
     * cost a short vector as much as its own exps.
     */
    private static double rescaled(double sum, float from, float to) {
        return sum == 0 || from == to ? sum : sum * Math.exp((double) from - to);
    }

    /**
     * The sum of e^(t - max) over {@code count} vectors of {@code in} from {@code from}, each also
     * written to {@code out} unless {@code keepInputs}. Where they are written, two loops (the
     * exps, then their sum in double lanes) measured faster than {@link #sumOfExp}'s one.
     */
    private double expsAndSum(
            float[] in,
            int from,
            int count,
            float max,
            float[] out,
            int outFrom,
            boolean keepInputs) {
        if (keepInputs) {
            FloatVector vsum = sumOfExp(in, from, L, count, FloatVector.broadcast(S, max), null, 0);
            double sum = 0;
            for (int l = 0; l < L; l++) {
                sum += vsum.lane(l);
            }
            return sum;
        }
        expsInto(in, from, count, max, out, outFrom);
        return PanamaMath.sumInDouble(out, outFrom, count * L);
    }

    @Override
    public void applyAlongDim0(float[] in, int inOff, float[] out, int outOff, int rows, int cols) {
        Checks.slice(in, inOff, out, outOff, Checks.batchLength(rows, cols));
        if (rows == 0) {
            return;
        }
        if (alongDim0InChunks(in, inOff, out, outOff, rows, cols)) {
            return;
        }
        int bound = S.loopBound(cols);
        for (int j = 0; j < bound; j += L) {
            FloatVector vmax = maxOf(in, inOff + j, cols, rows);
            FloatVector vsum =
                    sumOfExp(in, inOff + j, cols, rows, vmax, math.log ? null : out, outOff + j);
            if (math.log) {
                FloatVector logSum = vsum.lanewise(LOG);
                for (int r = 0, i = inOff + j, o = outOff + j;
                        r < rows;
                        r++, i += cols, o += cols) {
                    load(in, i).sub(vmax).sub(logSum).intoArray(out, o);
                }
            } else {
                FloatVector inv = FloatVector.broadcast(S, 1f).div(vsum);
                for (int r = 0, o = outOff + j; r < rows; r++, o += cols) {
                    FloatVector.fromArray(S, out, o).mul(inv).intoArray(out, o);
                }
            }
        }
        for (int j = bound; j < cols; j++) {
            math.strided(in, inOff + j, out, outOff + j, cols, rows);
        }
    }

    @Override
    void columnStats(float[] rows, int off, int n, int cols, float[] maxOut, float[] sumOut) {
        int bound = S.loopBound(cols);
        for (int j = 0; j < bound; j += L) {
            FloatVector vmax = maxOf(rows, off + j, cols, n);
            vmax.intoArray(maxOut, j);
            // in float per block; the caller folds blocks together in double
            sumOfExp(rows, off + j, cols, n, vmax, null, 0).intoArray(sumOut, j);
        }
        math.columnStats(rows, off, n, cols, bound, cols, maxOut, sumOut);
    }

    @Override
    void normalizeColumns(
            float[] rows,
            int inOff,
            int n,
            int cols,
            float[] max,
            float[] scale,
            float[] out,
            int outOff) {
        int bound = S.loopBound(cols);
        // row by row: streams
        for (int r = 0, i = inOff, o = outOff; r < n; r++, i += cols, o += cols) {
            for (int j = 0; j < bound; j += L) {
                FloatVector t = load(rows, i + j).sub(FloatVector.fromArray(S, max, j));
                FloatVector s = FloatVector.fromArray(S, scale, j);
                (math.log ? t.sub(s) : PanamaMath.expOfNonPositiveDownToZero(t).mul(s))
                        .intoArray(out, o + j);
            }
        }
        math.normalizeColumns(rows, inOff, n, cols, bound, cols, max, scale, out, outOff);
    }
}
