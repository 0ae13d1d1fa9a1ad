package io.flinkactivations.sql;

import io.flinkactivations.core.Activation;
import io.flinkactivations.core.ActivationKernel;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.binary.BinaryArrayData;
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
 * One array through a SQL scalar function, as Flink's generated code calls it (binary array data
 * in, generic array data out), against the DataStream path's work on the same values (a float[] in,
 * a new float[] out, the kernel between): what Flink's array data costs next to the kernel. {@code
 * java -jar benchmarks/target/benchmarks.jar SqlScalarBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// five seconds of warm-up: after 1.5 s, the first measured half second still ran up to 20x the
// others (the JIT still compiling)
@Warmup(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class SqlScalarBenchmark {
    @Param({"relu", "gelu", "softmax"})
    public String op;

    @Param({"64", "1024"})
    public int size;

    private ActivationKernel kernel;
    private float[] values;
    private ArrayData floats;
    private ArrayData doubles;
    private ArrayActivationFunction sqlFloat;
    private ArrayActivationFunction sqlDouble;

    @Setup
    public void setup() {
        ActivationSpec spec = ActivationSpec.parse(op);
        kernel = Kernels.get().kernel(spec);
        values = new float[size];
        double[] d = new double[size];
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < size; i++) {
            values[i] = (float) (rnd.nextGaussian() * 3);
            d[i] = values[i];
        }
        floats = BinaryArrayData.fromPrimitiveArray(values);
        doubles = BinaryArrayData.fromPrimitiveArray(d);
        ActivationFunction function = new ActivationFunction(Activation.byName(op));
        sqlFloat = ArrayActivationFunction.specialized(function, spec, false);
        sqlDouble = ArrayActivationFunction.specialized(function, spec, true);
    }

    /** The DataStream path's work per record: the kernel into a new output array. */
    @Benchmark
    public float[] dataStream() {
        float[] out = new float[size];
        kernel.apply(values, 0, out, 0, size);
        return out;
    }

    @Benchmark
    public ArrayData sqlFloatArray() {
        return sqlFloat.eval(floats);
    }

    @Benchmark
    public ArrayData sqlDoubleArray() {
        return sqlDouble.eval(doubles);
    }
}
