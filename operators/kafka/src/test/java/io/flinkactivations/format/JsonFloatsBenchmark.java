package io.flinkactivations.format;

import java.nio.charset.StandardCharsets;
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
 * The JSON format's numbers alone, per number: {@link JsonFloats#readArray} over arrays of 64
 * numbers and {@link JsonFloats#write} of 64 floats, without the record around them ({@link
 * JsonRecordBenchmark} has the record).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(1)
public class JsonFloatsBenchmark {
    private static final int D = 64;
    private static final int ARRAYS = 256;

    /**
     * How the numbers are written: {@code float}, as Float.toString (up to 9 digits); {@code
     * double}, as Python's json.dumps writes a float32 it got as a Python float (up to 17).
     */
    @Param({"float", "double"})
    public String numbers;

    private byte[][] arrays;
    private float[][] values;
    private final byte[] out = new byte[JsonRecord.maxArrayLength(D)];
    private final int[] end = new int[1];
    private int next;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(1);
        arrays = new byte[ARRAYS][];
        values = new float[ARRAYS][D];
        for (int i = 0; i < ARRAYS; i++) {
            StringBuilder sb = new StringBuilder("[");
            for (int j = 0; j < D; j++) {
                float v = (float) (rnd.nextGaussian() * 3);
                values[i][j] = v;
                sb.append(j == 0 ? "" : ",")
                        .append(numbers.equals("double") ? Double.toString(v) : Float.toString(v));
            }
            arrays[i] = sb.append(']').toString().getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** Reads an array of 64 numbers; the score divided by 64 is the time per number. */
    @Benchmark
    public float[] read() {
        byte[] a = arrays[next++ & (ARRAYS - 1)];
        return JsonFloats.readArray(a, 0, a.length, end);
    }

    /** Writes 64 floats; the score divided by 64 is the time per number. */
    @Benchmark
    public int write() {
        float[] v = values[next++ & (ARRAYS - 1)];
        return JsonRecord.writeArray(out, 0, v, 0, D);
    }
}
