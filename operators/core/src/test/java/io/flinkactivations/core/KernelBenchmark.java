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
 * One activation over one vector of {@code size} floats, out of place (or in place with {@code -p
 * inPlace=true}), on each implementation. Throughput in calls per second; the table multiplies by
 * size. Every op defaults to the list in {@link Specs}; the JMH command line narrows it ({@code -p
 * op=relu,gelu -p size=1024}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class KernelBenchmark {
    @Param({
        "relu",
        "relu6",
        "leaky_relu",
        "elu",
        "selu",
        "celu",
        "gelu",
        "sigmoid",
        "silu",
        "mish",
        "softplus",
        "softsign",
        "tanh",
        "tanhshrink",
        "hardtanh",
        "hardsigmoid",
        "hardswish",
        "hardshrink",
        "softshrink",
        "threshold(0.1, 20)",
        "logsigmoid",
        "prelu",
        "rrelu",
        "softmax",
        "log_softmax",
        "softmin",
        "layer_norm",
        "normalize",
        "rms_norm"
    })
    public String op;

    @Param({"16", "64", "256", "1024", "1048576"})
    public int size;

    @Param({"vector", "scalar"})
    public String impl;

    /**
     * Where the data starts in the arrays, in floats: shifts its alignment to cache lines (64
     * bytes).
     */
    @Param({"0"})
    public int offset;

    /**
     * Whether out is in: each call then applies the op to the last call's output, so this is for
     * ops whose repeats keep normal floats (relu and the clamps that {@code bin/benchmark
     * --in-place} lists; not leaky_relu, whose negatives shrink into subnormals).
     */
    @Param({"false"})
    public boolean inPlace;

    private ActivationKernel kernel;
    private float[] in;
    private float[] out;

    @Setup
    public void setup() {
        kernel =
                (impl.equals("vector") ? Kernels.vector() : Kernels.scalar())
                        .kernel(ActivationSpec.parse(op));
        in = new float[size + offset];
        out = inPlace ? in : new float[size + offset];
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < size; i++) {
            in[offset + i] = (float) (rnd.nextGaussian() * 3);
        }
    }

    @Benchmark
    public float[] apply() {
        kernel.apply(in, offset, out, offset, size);
        return out;
    }
}
