package io.flinkactivations.kafka;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.stream.internal.SoftmaxWindowOperator;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The windowed softmax operator itself (state, timers, statistics, outputs; no network, no Kafka),
 * on Flink's operator test harness with the heap state backend. One benchmark operation is one
 * fired window of {@code rows} records of D = {@code cols}: for {@code tumbling}, rows records
 * arrive and the window fires; for {@code sliding} (size/slide = 10), one slide's worth (rows / 10)
 * arrives and a window of rows records fires, as in a steady stream. Time per operation / rows is
 * the cost per output record; with sliding windows each record is output 10 times, once per window.
 * {@code -p window=count} runs {@code count(rows)} windows, as the job benchmark's windowed softmax
 * does (not in the default set: per record it costs what a tumbling window does, without the
 * timers).
 *
 * <p>In the operators' package because the operator is not public API.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// six seconds of warm-up: with three, the first measured second still ran 1.5-8x the others (the
// JIT still compiling the firing path, which a large window reaches only ~30 times a second)
@Warmup(iterations = 6, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class WindowOperatorBenchmark {
    @Param({"tumbling", "sliding"})
    public String window;

    /** The step along dim 0: the softmax, or batch_norm (its moments merged by Chan's rule). */
    @Param({"softmax", "batch_norm"})
    public String op;

    @Param({"10", "100", "1000", "10000", "100000"})
    public int rows;

    @Param({"64"})
    public int cols;

    private KeyedOneInputStreamOperatorTestHarness<String, FeatureVector, FeatureVector> harness;
    private static final byte[] KEY = "sensor-1".getBytes(StandardCharsets.UTF_8);
    private float[][] pool;
    private int perFiring;
    private long time;
    private final LettingGoOutput output = new LettingGoOutput();

    /**
     * Counts the outputs and keeps none, as a job's chained sink or network writer lets each go
     * once written. The harness's own output keeps a copy of every record until it is cleared,
     * which at 100,000 records per window made the benchmark measure the garbage collector copying
     * them.
     */
    static final class LettingGoOutput implements Output<StreamRecord<FeatureVector>> {
        int records;
        float checksum; // keeps the outputs' features live for the JIT

        @Override
        public void collect(StreamRecord<FeatureVector> record) {
            records++;
            checksum += record.getValue().features()[0];
        }

        @Override
        public <X> void collect(OutputTag<X> tag, StreamRecord<X> record) {
            throw new IllegalStateException("no dead letters expected: " + record.getValue());
        }

        @Override
        public void emitWatermark(Watermark mark) {}

        @Override
        public void emitWatermarkStatus(WatermarkStatus status) {}

        @Override
        public void emitLatencyMarker(LatencyMarker marker) {}

        @Override
        public void emitRecordAttributes(RecordAttributes attributes) {}

        @Override
        public void emitWatermark(WatermarkEvent event) {}

        @Override
        public void close() {}
    }

    @Setup
    public void setup() throws Exception {
        // one record per ms: a window of `rows` ms holds `rows` records
        String spec;
        switch (window) {
            case "tumbling" -> spec = "tumbling(" + rows + "ms)";
            case "sliding" -> spec = "sliding(" + rows + "ms, " + rows / 10 + "ms)";
            case "count" -> spec = "count(" + rows + ")";
            default ->
                    throw new IllegalArgumentException(
                            "window: tumbling, sliding or count, not " + window);
        }
        perFiring = window.equals("sliding") ? rows / 10 : rows;
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new SoftmaxWindowOperator<>(
                                ActivationSpec.parse(op),
                                WindowSpec.parse(spec),
                                0,
                                "late",
                                FeatureVectorModel.INSTANCE),
                        new RecordKey(),
                        Types.STRING);
        harness.setOutputCreator(serializer -> output);
        harness.open();
        SplittableRandom rnd = new SplittableRandom(1);
        pool = new float[1024][];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = new float[cols];
            for (int j = 0; j < cols; j++) {
                pool[i][j] = (float) (rnd.nextGaussian() * 3);
            }
        }
        time = 0;
        if (window.equals("sliding")) { // fill the first window, so every firing has `rows` records
            for (int s = 0; s < 9; s++) {
                fireOneWindow();
            }
        }
    }

    @Benchmark
    public int fireOneWindow() throws Exception {
        for (int i = 0; i < perFiring; i++, time++) {
            FeatureVector v =
                    FeatureVector.of(pool[(int) (time & 1023)], time); // as the source makes them
            v.key = KEY;
            harness.processElement(v, time);
        }
        int before = output.records;
        harness.processWatermark(new Watermark(time - 1));
        return output.records - before;
    }

    @TearDown
    public void tearDown() throws Exception {
        harness.close();
    }
}
