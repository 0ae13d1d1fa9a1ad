package com.example.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.stream.ActivationResult;
import io.flinkactivations.stream.Activations;
import io.flinkactivations.stream.DeadLetter;
import io.flinkactivations.stream.Features;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.assertj.core.data.Offset;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exactly what README.md's "Using the operators in your pipeline" example does, on a user's POJO,
 * from a package outside the project's, on a MiniCluster: the public API is enough. (examples/datastream,
 * run by examples/run.sh in CI, is the same pipeline with Kafka in and out.)
 */
class ReadmeExampleITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .build());

    static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> out = new ArrayList<>();
        try (CloseableIterator<T> it = stream.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** The README's record type: a POJO of the user's. */
    public static class SensorReading {
        public String sensor;
        public long ts;
        public float[] features;

        public SensorReading() {}

        SensorReading(String sensor, long ts, float... features) {
            this.sensor = sensor;
            this.ts = ts;
            this.features = features;
        }

        public SensorReading withFeatures(float[] f) {
            return new SensorReading(sensor, ts, f);
        }
    }

    @Test
    void theReadmeExample() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<SensorReading> source = env.fromData(Types.POJO(SensorReading.class),
                new SensorReading("a", 1_000L, 1, -2, 3, -5),
                new SensorReading("a", 2_000L, 1, 0, 0, 0),
                new SensorReading("a", 3_000L, 1, 0));            // another dimension: a dead letter
        // --- README example starts (the source here is in memory)
        WatermarkStrategy<SensorReading> eventTime = WatermarkStrategy   // time windows need event time
                .<SensorReading>forBoundedOutOfOrderness(Duration.ofSeconds(2))
                .withTimestampAssigner((reading, kafkaTimestamp) -> reading.ts);
        DataStream<SensorReading> readings = source.assignTimestampsAndWatermarks(eventTime);
        Features<SensorReading, float[]> features = Features.floats(reading -> reading.features);

        ActivationResult<SensorReading, DeadLetter<SensorReading>> gelu = Activations.map(
                readings, "gelu(approximate='tanh')", features, (reading, out) -> reading.withFeatures(out));
        ActivationResult<SensorReading, DeadLetter<SensorReading>> softmax = Activations
                .windowedSoftmax(readings.keyBy(reading -> reading.sensor), features,
                        (reading, out, window) -> reading.withFeatures(out))   // window: start, end, count
                .activation("softmax")
                .window("tumbling(10 s)")          // or sliding(10s, 1s), session(30s), count(100)
                .build();
        // --- README example ends

        List<SensorReading> mapped = collect(gelu.output());
        assertThat(mapped).hasSize(3);
        float[] first = mapped.stream().filter(r -> r.ts == 1_000L).findFirst().orElseThrow().features;
        assertThat(first[0]).isCloseTo(0.8411920f, Offset.offset(1e-6f));   // PyTorch: gelu(1, 'tanh')
        assertThat(collect(gelu.deadLetters())).isEmpty();

        List<SensorReading> windowed = collect(softmax.output());
        assertThat(windowed).hasSize(2);
        float[] a = windowed.stream().filter(r -> r.ts == 1_000L).findFirst().orElseThrow().features;
        // softmax across the 2 records, per feature: [1, 1] -> 0.5; [-2, 0] -> 0.1192; [3, 0] -> 0.9526; [-5, 0] -> 0.0067
        assertThat(a[0]).isEqualTo(0.5f);
        assertThat(a[1]).isCloseTo(0.11920292f, Offset.offset(1e-7f));
        assertThat(a[2]).isCloseTo(0.95257413f, Offset.offset(1e-7f));
        assertThat(collect(softmax.deadLetters())).singleElement()
                .satisfies(d -> assertThat(d.reason().code()).isEqualTo("dimension-mismatch"))
                .satisfies(d -> assertThat(d.record().ts).isEqualTo(3_000L));
    }
}
