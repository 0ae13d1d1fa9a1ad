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
 * Why the ReLU-like ops' share of the copy bound at D = 1024 moves between runs: the same kernel
 * over 1,024 floats that start {@code offset} floats into an array whose address is known. The
 * arrays hold 65,536 floats, so G1 allocates them as humongous objects, on a region boundary, with
 * their data 16 bytes past it: element {@code offset} sits at 16 + 4 * offset bytes past a 64-byte
 * boundary (the output 2 KB further on, same alignment). A small array's address, which no Java API
 * gives, varies from run to run in the same way. {@code System.arraycopy} is the reference (its
 * stub aligns its own accesses).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g", "-XX:+UseG1GC"})
public class AlignmentBenchmark {
    @Param({"relu", "relu6", "arraycopy"})
    public String op;

    @Param({"0", "2", "4", "6", "8", "10", "12", "14"})
    public int offset;

    private static final int SIZE = 1024;

    /**
     * Output 2 KB further into its array than the input: both arrays start on a region boundary, so
     * at equal indexes every store would share its low 12 address bits with the loads (4K aliasing;
     * arraycopy at offset 0 ran at 5.0 million calls/s against 22 at the other offsets).
     */
    private static final int OUT_SHIFT = 512;

    private ActivationKernel kernel;
    private float[] in;
    private float[] out;

    @Setup
    public void setup() {
        kernel = op.equals("arraycopy") ? null : Kernels.vector().kernel(ActivationSpec.parse(op));
        in = new float[65_536];
        out = new float[65_536];
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) (rnd.nextGaussian() * 3);
        }
    }

    @Benchmark
    public float[] apply() {
        if (kernel == null) {
            System.arraycopy(in, offset, out, offset + OUT_SHIFT, SIZE);
        } else {
            kernel.apply(in, offset, out, offset + OUT_SHIFT, SIZE);
        }
        return out;
    }
}
