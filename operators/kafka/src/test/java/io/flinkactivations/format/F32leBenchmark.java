package io.flinkactivations.format;

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

/** The f32le record format's cost per record: reading a value's floats and writing an output's. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1)
public class F32leBenchmark {
    @Param({"64"})
    public int dimension;

    private byte[] value;
    private float[] features;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(1);
        features = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            features[i] = (float) (rnd.nextGaussian() * 3);
        }
        value = F32le.write(features, 0, dimension);
    }

    @Benchmark
    public float[] parse() throws BadRecordException {
        return F32le.parse(value);
    }

    @Benchmark
    public byte[] write() {
        return F32le.write(features, 0, dimension);
    }
}
