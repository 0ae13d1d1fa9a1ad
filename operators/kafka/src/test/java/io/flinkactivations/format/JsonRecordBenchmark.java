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
 * The JSON record format's cost per record, the part of the JSON job that the consumer-to-producer
 * ceiling does not do: parsing {"id": ..., "ts": ..., "features": [D floats]} and writing the
 * output (features replaced, the activation field added).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class JsonRecordBenchmark {
    @Param({"64"})
    public int dimension;

    /**
     * How the input's numbers are written: {@code float}, as Java's Float.toString (up to 9
     * digits); {@code double}, as Python's json.dumps writes a float32 it got as a Python float (up
     * to 17).
     */
    @Param({"float", "double"})
    public String numbers;

    private byte[][] records;
    private JsonRecord.Layout[] layouts;
    private int next;

    @Setup
    public void setup() throws BadRecordException {
        SplittableRandom rnd = new SplittableRandom(1);
        records = new byte[256][];
        layouts = new JsonRecord.Layout[records.length];
        for (int i = 0; i < records.length; i++) {
            StringBuilder sb =
                    new StringBuilder(
                            "{\"id\":\"r-" + i + "\",\"ts\":1700000000000,\"features\":[");
            for (int j = 0; j < dimension; j++) {
                float v = (float) (rnd.nextGaussian() * 3);
                sb.append(j == 0 ? "" : ",")
                        .append(numbers.equals("double") ? Double.toString(v) : Float.toString(v));
            }
            records[i] = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            layouts[i] = JsonRecord.parse(records[i], 0, records[i].length);
        }
    }

    @Benchmark
    public JsonRecord.Layout parse() throws BadRecordException {
        byte[] r = records[next++ & 255];
        return JsonRecord.parse(r, 0, r.length);
    }

    private static final byte[] ACTIVATION_FIELD =
            "\"activation\":\"leaky_relu(negative_slope=0.2)\"".getBytes(StandardCharsets.UTF_8);

    @Benchmark
    public byte[] write() {
        int i = next++ & 255;
        JsonRecord.Layout l = layouts[i];
        return JsonRecord.write(records[i], l, l.features(), 0, dimension, ACTIVATION_FIELD);
    }
}
