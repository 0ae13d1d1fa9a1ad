package io.flinkactivations.core;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The memory bound: a plain copy of the same floats, in to out, as the kernels read and write them,
 * by {@code System.arraycopy}, by a Vector API loop like the kernels' (no op, and without their
 * alignment peel for large arrays) and by a plain loop, which C2 vectorizes and starts on a vector
 * boundary of the real address (the kernels can only assume one). The report takes the fastest:
 * which one wins depends on the JDK and the size (JDK 25's arraycopy stub is the slowest at 1M
 * here). The in-place bound, for kernels run with in == out: the same floats read and written back
 * to where they were, plus 0 (which no compiler may drop: -0 + 0 is +0), by a Vector API loop and a
 * plain loop.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class CopyBenchmark {
    @Param({"16", "64", "256", "1024", "1048576"})
    public int size;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private float[] in;
    private float[] out;

    @Setup
    public void setup() {
        in = new float[size];
        out = new float[size];
        java.util.Arrays.fill(in, 1.5f);
    }

    @Benchmark
    public float[] copy() {
        System.arraycopy(in, 0, out, 0, size);
        return out;
    }

    @Benchmark
    public float[] vectorCopy() {
        int i = 0;
        for (int bound = S.loopBound(size); i < bound; i += S.length()) {
            FloatVector.fromArray(S, in, i).intoArray(out, i);
        }
        for (; i < size; i++) {
            out[i] = in[i];
        }
        return out;
    }

    @Benchmark
    public float[] vectorInPlace() {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(size); i < bound; i += S.length()) {
            FloatVector.fromArray(S, in, i).add(zero).intoArray(in, i);
        }
        for (; i < size; i++) {
            in[i] += 0f;
        }
        return in;
    }

    @Benchmark
    public float[] loopInPlace() {
        for (int i = 0; i < size; i++) {
            in[i] += 0f;
        }
        return in;
    }

    @Benchmark
    public float[] loopCopy() {
        for (int i = 0; i < size; i++) {
            out[i] = in[i];
        }
        return out;
    }
}
