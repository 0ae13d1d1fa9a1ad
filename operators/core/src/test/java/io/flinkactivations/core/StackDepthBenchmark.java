package io.flinkactivations.core;

import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.NEG;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
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
 * Why the ops that need x after the JDK's exp load it again: SiLU over 1M floats, called through
 * {@code depth} extra stack frames, with x kept live across {@code lanewise(EXP)} (a call into its
 * SVML stubs that clobbers every vector register, so x is spilled to the stack) and with the
 * project's kernel (x loaded from the array again after the call). The first can change speed with
 * the depth, as the spill slot moves across cache lines; the second does not.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar StackDepthBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class StackDepthBenchmark {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int SIZE = 1 << 20;

    @Param({"0", "1", "2", "3"})
    public int depth;

    @Param({"jdkExp", "kernel"})
    public String exp;

    private ActivationKernel kernel;
    private float[] in;
    private float[] out;

    @Setup
    public void setup() {
        kernel = Kernels.vector().kernel(ActivationSpec.parse("silu"));
        in = new float[SIZE];
        out = new float[SIZE];
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < SIZE; i++) {
            in[i] = (float) (rnd.nextGaussian() * 3);
        }
    }

    @Benchmark
    public float[] silu() {
        return exp.equals("kernel") ? viaKernel(depth) : viaJdkExp(depth);
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private float[] viaKernel(int frames) {
        if (frames > 0) {
            return viaKernel(frames - 1);
        }
        kernel.apply(in, 0, out, 0, SIZE);
        return out;
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private float[] viaJdkExp(int frames) {
        if (frames > 0) {
            return viaJdkExp(frames - 1);
        }
        jdkExpSilu(in, out);
        return out;
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private static void jdkExpSilu(float[] in, float[] out) {
        for (int i = 0; i < SIZE; i += S.length()) {
            FloatVector x = FloatVector.fromArray(S, in, i);
            x.div(x.lanewise(NEG).lanewise(EXP).add(1f)).intoArray(out, i);
        }
    }
}
