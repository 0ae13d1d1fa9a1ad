package io.flinkactivations.core;

import static io.flinkactivations.core.PanamaMath.D;
import static io.flinkactivations.core.PanamaMath.I;
import static io.flinkactivations.core.PanamaMath.L;
import static io.flinkactivations.core.PanamaMath.S;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.F2D;
import static jdk.incubator.vector.VectorOperators.LOG;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * The softmax family on the Vector API. Every e^(t - max) is the inline exp of a non-positive
 * number ({@link PanamaMath#expOfNonPositiveDownToZero}): the JDK's exp is a call, which spills
 * every vector live across it and costs more than the rest of the pass. One vector: block by block,
 * the block's max ({@link #maxOfT}), then e^(t - block max) into the output and their sum in double
 * lanes ({@link #expsInto}, {@link #blockSum}, so long vectors stay accurate); then the outputs
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

    /**
     * -inf's bits, where a lane's int min over negative floats starts: every negative float but a
     * NaN is at or below it as an int, and a lane of none stays -inf.
     */
    private static final int MINUS_INF_BITS = Float.floatToRawIntBits(Float.NEGATIVE_INFINITY);

    /**
     * {@link #expsAndSum}, for apply's loop over the blocks on JDK 17. Deliberately not final: C2
     * cannot constant-fold it, so it does not inline expsAndSum through it and compiles it on its
     * own, as VectorElementwiseLoop's loop handle (docs/compute.md, "Out-of-line loops"). Inlined
     * into that loop, JDK 17's C2 ran a softmax of 1M floats at a quarter of its speed, in some
     * JVMs and not others.
     */
    private static MethodHandle expsAndSumHandle = expsAndSumHandle();

    PanamaSoftmax(ActivationSpec spec) {
        super(spec);
    }

    private static MethodHandle expsAndSumHandle() {
        try {
            return MethodHandles.lookup()
                    .findVirtual(
                            PanamaSoftmax.class,
                            "expsAndSum",
                            MethodType.methodType(
                                    double.class,
                                    float[].class,
                                    int.class,
                                    int.class,
                                    float.class,
                                    float[].class,
                                    int.class,
                                    boolean.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
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
     * softmin (t = -x / temperature) the min of x, as minus the max of -x, then t of it, since
     * dividing by a positive temperature keeps the order. On the floats' bits ({@link #maxOnBits}),
     * where NaN may be left out: a NaN input still makes the sum of e^(t - max), and so every
     * output, NaN.
     */
    private float maxOfT(float[] in, int from, int count) {
        return math.transform(
                math.negate
                        ? -maxOnBits(in, from, count, Integer.MIN_VALUE)
                        : maxOnBits(in, from, count, 0));
    }

    /**
     * The max of {@code count} vectors of {@code in} with each float's bits XORed with {@code
     * sign}, on the bits as ints: a float max keeping Java's NaN and signed-zero rules is several
     * dependent instructions, an int max one. Non-negative floats order as their bits do as signed
     * ints and negative ones the other way round, so a lane's max is its int max where that is
     * non-negative, else its int min. A positive NaN is the max; a negative NaN is left out, so a
     * block of -inf and negative NaNs gives -inf (see {@link #apply}).
     */
    private static float maxOnBits(float[] in, int from, int count, int sign) {
        IntVector hi0 = IntVector.broadcast(I, Integer.MIN_VALUE);
        IntVector hi1 = hi0;
        IntVector lo0 = IntVector.broadcast(I, MINUS_INF_BITS);
        IntVector lo1 = lo0;
        int i = from;
        int end = from + count * L;
        for (; i + L < end; i += 2 * L) {
            IntVector v0 = FloatVector.fromArray(S, in, i).reinterpretAsInts();
            IntVector v1 = FloatVector.fromArray(S, in, i + L).reinterpretAsInts();
            if (sign != 0) {
                v0 = v0.lanewise(XOR, sign);
                v1 = v1.lanewise(XOR, sign);
            }
            hi0 = hi0.max(v0);
            lo0 = lo0.min(v0);
            hi1 = hi1.max(v1);
            lo1 = lo1.min(v1);
        }
        for (; i < end; i += L) {
            IntVector v = FloatVector.fromArray(S, in, i).reinterpretAsInts();
            if (sign != 0) {
                v = v.lanewise(XOR, sign);
            }
            hi0 = hi0.max(v);
            lo0 = lo0.min(v);
        }
        IntVector hi = hi0.max(hi1);
        IntVector m = hi.blend(lo0.min(lo1), hi.compare(LT, 0));
        // across lanes as ints that order as the floats do: a negative float's magnitude bits
        // inverted
        int key = m.lanewise(XOR, m.lanewise(ASHR, 31).lanewise(LSHR, 1)).reduceLanes(MAX);
        return Float.intBitsToFloat(key ^ ((key >> 31) >>> 1));
    }

    private static boolean hasNaN(float[] a, int from, int len) {
        for (int i = from; i < from + len; i++) {
            if (Float.isNaN(a[i])) {
                return true;
            }
        }
        return false;
    }

    /**
     * The lane-wise max of t over {@code count} vectors of {@code in}, {@code step} floats apart,
     * on the bits, as {@link #maxOnBits}, where a NaN left out still makes its column's sum, and so
     * the column, NaN.
     */
    private FloatVector maxOf(float[] in, int from, int step, int count) {
        IntVector hi = IntVector.broadcast(I, Integer.MIN_VALUE);
        IntVector lo = IntVector.broadcast(I, MINUS_INF_BITS);
        for (int r = 0, i = from; r < count; r++, i += step) {
            IntVector v = load(in, i).reinterpretAsInts();
            hi = hi.max(v);
            lo = lo.min(v);
        }
        return hi.blend(lo, hi.compare(LT, 0)).reinterpretAsFloats();
    }

    /** {@link #maxOf} by Java's float max, NaN included. */
    private FloatVector floatMaxOf(float[] in, int from, int step, int count) {
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
            if (blockMax == Float.NEGATIVE_INFINITY && hasNaN(in, inOff + from, vectors * L)) {
                // a NaN left out of the max: its e^(t - max) makes the sum NaN
                blockMax = Float.NaN;
            }
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
            // JDK 21+: inlined here, measured faster; JDK 17: out of line (expsAndSumHandle)
            double blockSum =
                    PanamaMath.MODERN_JIT
                            ? expsAndSum(
                                    in,
                                    inOff + from,
                                    vectors,
                                    blockMax,
                                    out,
                                    outOff + from,
                                    keepInputs)
                            : expsAndSumOutOfLine(
                                    in,
                                    inOff + from,
                                    vectors,
                                    blockMax,
                                    out,
                                    outOff + from,
                                    keepInputs);
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
        // pass 3: outputs, each loop a call compiled on its own (1.2x faster at 1M than in line)
        if (math.log) {
            float logSum = (float) Math.log(sum);
            logOutputs(in, inOff, out, outOff, bound, max, logSum);
            for (int i = bound; i < len; i++) {
                out[outOff + i] = (math.transform(in[inOff + i]) - max) - logSum;
            }
        } else {
            for (int b = 0; b < blocks; b++) {
                int from = b * BLOCK;
                int to = Math.min(from + BLOCK, bound);
                float blockMax = b == 0 ? firstBlockMax : blockMaxes[b];
                float scale = (float) (rescaled(1, blockMax, max) / sum);
                scale(out, outOff + from, outOff + to, scale);
            }
            for (int i = bound; i < len; i++) {
                out[outOff + i] = (float) (Math.exp(math.transform(in[inOff + i]) - max) / sum);
            }
        }
    }

    /**
     * The sum of {@code count} vectors of {@code a} from {@code from}, in double lanes: each vector
     * widened in two halves on JDK 21 and later; on JDK 17 that ran slower than {@link
     * PanamaMath#sumInDouble}'s half-width loads, which it keeps.
     */
    private static double blockSum(float[] a, int from, int count) {
        if (!PanamaMath.MODERN_JIT) {
            return PanamaMath.sumInDouble(a, from, count * L);
        }
        DoubleVector s0 = DoubleVector.zero(D);
        DoubleVector s1 = s0;
        for (int i = from, end = from + count * L; i < end; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, i);
            s0 = s0.add((DoubleVector) v.convertShape(F2D, D, 0));
            s1 = s1.add((DoubleVector) v.convertShape(F2D, D, 1));
        }
        return s0.add(s1).reduceLanes(ADD);
    }

    /** (t - max) - logSum of {@code len} floats of {@code in} into {@code out}. */
    private void logOutputs(
            float[] in, int inOff, float[] out, int outOff, int len, float max, float logSum) {
        for (int i = 0; i < len; i += L) {
            load(in, inOff + i).sub(max).sub(logSum).intoArray(out, outOff + i);
        }
    }

    /** {@code out} from {@code from} to {@code to} times {@code factor}. */
    private static void scale(float[] out, int from, int to, float factor) {
        for (int i = from; i < to; i += L) {
            FloatVector.fromArray(S, out, i).mul(factor).intoArray(out, i);
        }
    }

    /**
     * A sum of e^(t - from) as a sum of e^(t - to); without a call to exp where it can, which would
     * cost a short vector as much as its own exps.
     */
    private static double rescaled(double sum, float from, float to) {
        return sum == 0 || from == to ? sum : sum * Math.exp((double) from - to);
    }

    /** {@link #expsAndSum} through {@link #expsAndSumHandle}, which C2 does not inline. */
    private double expsAndSumOutOfLine(
            float[] in,
            int from,
            int count,
            float max,
            float[] out,
            int outFrom,
            boolean keepInputs) {
        try {
            return (double)
                    expsAndSumHandle.invokeExact(
                            this, in, from, count, max, out, outFrom, keepInputs);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t); // expsAndSum throws nothing checked
        }
    }

    /**
     * The sum of e^(t - max) over {@code count} vectors of {@code in} from {@code from}, each also
     * written to {@code out} unless {@code keepInputs}. Where they are written, two loops (the
     * exps, then their sum) measured faster than {@link #sumOfExp}'s one.
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
        return blockSum(out, outFrom, count);
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
            if (vmax.compare(EQ, Float.NEGATIVE_INFINITY).anyTrue()) {
                // a NaN left out of a max of -inf: OnlineSoftmax's merge drops a part whose max is
                // -inf, so that max must be NaN
                vmax = floatMaxOf(rows, off + j, cols, n);
            }
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
