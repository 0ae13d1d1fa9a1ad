package io.flinkactivations.core;

import static io.flinkactivations.core.PanamaMath.L;
import static io.flinkactivations.core.PanamaMath.MODERN_JIT;
import static io.flinkactivations.core.PanamaMath.S;
import static jdk.incubator.vector.VectorOperators.LOG;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.MIN;

import jdk.incubator.vector.FloatVector;

/**
 * The softmax family on the Vector API. Its passes take the JDK's exp ({@link PanamaMath#exp}): the
 * inline one was as fast for softmax and slower for log_softmax. One vector: a vector max, then
 * exp(t - max) into the output and their sum in double lanes ({@link #expsInto}, {@link
 * PanamaMath#sumInDouble}, so long vectors stay accurate), then the outputs. Along dim 0: the same
 * three passes over the rows for L features at a time, the sum in the exp loop ({@link #sumOfExp}),
 * all in registers; leftover features use the scalar form.
 */
final class PanamaSoftmax extends SoftmaxKernel {
    /** Floats per chunk of one long vector in {@link #apply}: 32 KiB, a multiple of every L. */
    private static final int CHUNK = 8192;

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
     * expsFrom} unless it is null. The max is {@code max}, or read from {@code maxes} at {@code
     * maxAt} in every step when that is not null: JDK 17's C2 allocates a box for a vector kept
     * live across the exp call in this loop, and reading it back from memory avoids that (JDK 21+
     * keeps it in a register).
     */
    private FloatVector sumOfExp(
            float[] in,
            int from,
            int step,
            int count,
            FloatVector max,
            float[] maxes,
            int maxAt,
            float[] exps,
            int expsFrom) {
        FloatVector sum = FloatVector.zero(S);
        FloatVector comp = FloatVector.zero(S);
        for (int r = 0, i = from, o = expsFrom; r < count; r++, i += step, o += step) {
            FloatVector m = maxes == null ? max : FloatVector.fromArray(S, maxes, maxAt);
            FloatVector e = PanamaMath.exp(load(in, i).sub(m));
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
            // max broadcast in the loop: a vector kept across the exp call would be spilled
            PanamaMath.exp(load(in, i).sub(max)).intoArray(out, o);
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
        // passes 1 and 2 run over chunks of the vector, each a call with a short loop, and carry
        // the max and the sum from chunk to chunk in scalars: a single loop over a long vector is
        // compiled on stack replacement, where JDK 17's C2 boxes the vectors its loop carries (an
        // allocation per vector, half the speed at 1M)
        // pass 1: max
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < bound; i += CHUNK) {
            int vectors = Math.min(CHUNK, bound - i) / L;
            max = Math.max(max, maxOfT(in, inOff + i, vectors));
        }
        for (int i = bound; i < len; i++) {
            max = Math.max(max, math.transform(in[inOff + i]));
        }
        // pass 2: exp(t - max) into out (softmax keeps them for pass 3; log_softmax overwrites
        // them there), then their sum in double lanes. Two loops rather than one: with the sum in
        // the exp loop, the JDK's exp call spills the sum and its compensation every vector, and
        // the compensated sum's chain runs through memory. log_softmax in place needs its inputs in
        // pass 3, so it sums in the exp loop.
        double sum = 0;
        boolean keepInputs = math.log && in == out;
        FloatVector vmax = FloatVector.broadcast(S, max);
        for (int i = 0; i < bound; i += CHUNK) {
            int vectors = Math.min(CHUNK, bound - i) / L;
            if (keepInputs) {
                FloatVector vsum = sumOfExp(in, inOff + i, L, vectors, vmax, null, 0, null, 0);
                for (int l = 0; l < L; l++) {
                    sum += vsum.lane(l);
                }
            } else {
                expsInto(in, inOff + i, vectors, max, out, outOff + i);
                sum += PanamaMath.sumInDouble(out, outOff + i, vectors * L);
            }
        }
        for (int i = bound; i < len; i++) {
            sum += Math.exp(math.transform(in[inOff + i]) - max);
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
            float inv = (float) (1 / sum);
            for (int i = 0; i < bound; i += L) {
                FloatVector.fromArray(S, out, outOff + i).mul(inv).intoArray(out, outOff + i);
            }
            for (int i = bound; i < len; i++) {
                out[outOff + i] = (float) (Math.exp(math.transform(in[inOff + i]) - max) / sum);
            }
        }
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
        float[] maxes = bound > 0 && !MODERN_JIT ? new float[L] : null;
        for (int j = 0; j < bound; j += L) {
            FloatVector vmax = maxOf(in, inOff + j, cols, rows);
            if (maxes != null) {
                vmax.intoArray(maxes, 0); // read back in sumOfExp
            }
            FloatVector vsum =
                    sumOfExp(
                            in,
                            inOff + j,
                            cols,
                            rows,
                            vmax,
                            maxes,
                            0,
                            math.log ? null : out,
                            outOff + j);
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
            sumOfExp(rows, off + j, cols, n, vmax, MODERN_JIT ? null : maxOut, j, null, 0)
                    .intoArray(sumOut, j);
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
                (math.log ? t.sub(s) : PanamaMath.exp(t).mul(s)).intoArray(out, o + j);
            }
        }
        math.normalizeColumns(rows, inOff, n, cols, bound, cols, max, scale, out, outOff);
    }
}
