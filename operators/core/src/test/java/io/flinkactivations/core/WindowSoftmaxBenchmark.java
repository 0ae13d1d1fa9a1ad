package io.flinkactivations.core;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * The softmax family along dim 0 over an N x D window: the batch kernel on each implementation, and
 * the online form as the sliced windows use it (two halves' statistics, merged, then every record
 * normalised). Time per element staying flat from N = 10 to 100,000 is linear scaling.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class WindowSoftmaxBenchmark {
    @Param({"softmax", "log_softmax", "softmin"})
    public String op;

    @Param({"10", "100", "1000", "10000", "100000"})
    public int rows;

    @Param({"64"})
    public int cols;

    @Param({"vector", "scalar"})
    public String impl;

    private ActivationSpec spec;
    private Kernels kernels;
    private ActivationKernel kernel;
    private float[] in;
    private float[] out;

    @Setup
    public void setup() {
        spec = ActivationSpec.parse(op);
        kernels = impl.equals("vector") ? Kernels.vector() : Kernels.scalar();
        kernel = kernels.kernel(spec);
        in = new float[rows * cols];
        out = new float[rows * cols];
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) (rnd.nextGaussian() * 3);
        }
    }

    @Benchmark
    public float[] batch() {
        kernel.applyAlongDim0(in, 0, out, 0, rows, cols);
        return out;
    }

    @Benchmark
    public float[] onlineUpdateMerge() {
        OnlineSoftmax a = new OnlineSoftmax(kernels, spec, cols);
        OnlineSoftmax b = new OnlineSoftmax(kernels, spec, cols);
        int half = rows / 2;
        a.addRows(in, 0, half);
        b.addRows(in, half * cols, rows - half);
        a.merge(b);
        a.normalizeRows(in, 0, rows, out, 0);
        return out;
    }
}
