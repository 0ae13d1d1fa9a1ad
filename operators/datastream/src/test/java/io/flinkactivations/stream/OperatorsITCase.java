package io.flinkactivations.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The operators' metrics on a MiniCluster, and the windowed softmax builder's fail-fast checks. */
class OperatorsITCase {
    static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    /** A user's record: a Flink POJO with its features in a float[]. */
    public static class Reading {
        public String sensor;
        public float[] features;

        public Reading() {}

        Reading(String sensor, float[] features) {
            this.sensor = sensor;
            this.features = features;
        }

        Reading withFeatures(float[] f) {
            return new Reading(sensor, f);
        }
    }

    static final Features<Reading, float[]> FEATURES = Features.floats(r -> r.features);

    static long counter(JobID job, String suffix) {
        long sum = 0;
        for (Map.Entry<String, Metric> e : REPORTER.getMetricsByIdentifiers(job).entrySet()) {
            if (e.getKey().endsWith(suffix) && e.getValue() instanceof Counter c) {
                sum += c.getCount();
            }
        }
        return sum;
    }

    static DataStream<Reading> readings(StreamExecutionEnvironment env, Reading... readings) {
        return env.fromData(Types.POJO(Reading.class), readings);
    }

    @Test
    void metricsCountRecordsDeadLettersAndNonFiniteValues() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<Reading> in =
                readings(
                        env,
                        new Reading("a", new float[] {1, -2}),
                        new Reading(
                                "a",
                                new float[] {
                                    Float.NaN, Float.POSITIVE_INFINITY
                                }), // 2 non-finite outputs
                        new Reading("a", null),
                        new Reading("a", new float[0]),
                        new Reading("a", new float[0]));
        ActivationResult<Reading, DeadLetter<Reading>> r =
                Activations.map(in, "relu", FEATURES, (reading, out) -> reading.withFeatures(out));
        r.output().sinkTo(new DiscardingSink<>()).name("results");
        r.deadLetters().sinkTo(new DiscardingSink<>()).name("dead letters");
        JobExecutionResult result = env.execute("metrics");
        JobID job = result.getJobID();
        assertThat(counter(job, "activations.recordsIn")).isEqualTo(5);
        assertThat(counter(job, "activations.recordsOut")).isEqualTo(2);
        assertThat(counter(job, "activations.nonFiniteValues")).isEqualTo(2);
        assertThat(counter(job, "activations.reason.missing-features.deadLettered")).isEqualTo(1);
        assertThat(counter(job, "activations.reason.empty-vector.deadLettered")).isEqualTo(2);
    }

    @Test
    void theWindowedSoftmaxBuilderFailsFastWithAClearMessage() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<Reading> in = readings(env, new Reading("a", new float[] {1}));
        WindowResultMaker<Reading, float[], Reading> result =
                (reading, out, window) -> reading.withFeatures(out);
        assertThatThrownBy(
                        () ->
                                Activations.windowedSoftmax(
                                                in.keyBy(r -> r.sensor), FEATURES, result)
                                        .window("count(2)")
                                        .build())
                .hasMessageStartingWith(
                        "windowed softmax: set the activation (softmax, log_softmax, softmin,"
                                + " batch_norm, min_max or max_abs");
        assertThatThrownBy(
                        () ->
                                Activations.windowedSoftmax(
                                                in.keyBy(r -> r.sensor), FEATURES, result)
                                        .activation("relu")
                                        .window("count(2)")
                                        .build())
                .hasMessageContaining("relu has no step along dim 0, so a window changes nothing");
        assertThatThrownBy(
                        () ->
                                Activations.windowedSoftmax(
                                                in.keyBy(r -> r.sensor), FEATURES, result)
                                        .activation("softmax | batch_norm")
                                        .window("count(2)")
                                        .build())
                .hasMessageContaining("two steps along dim 0 (softmax and batch_norm)");
        assertThatThrownBy(
                        () ->
                                Activations.map(
                                        in,
                                        "layer_norm | batch_norm",
                                        FEATURES,
                                        (reading, out) -> reading.withFeatures(out)))
                .hasMessageStartingWith(
                        "batch_norm normalises each feature across a window's records");
        assertThatThrownBy(
                        () ->
                                Activations.windowedSoftmax(
                                                in.keyBy(r -> r.sensor), FEATURES, result)
                                        .activation("softmax")
                                        .build())
                .hasMessageContaining("set the window, e.g. tumbling(10s) or count(100)");
        assertThatThrownBy(
                        () ->
                                Activations.windowedSoftmax(
                                                in.keyBy(r -> r.sensor), FEATURES, result)
                                        .activation("softmax")
                                        .window("count(2)")
                                        .allowedLateness(Duration.ofSeconds(1))
                                        .build())
                .hasMessageContaining(
                        "allowedLateness applies to event-time windows, not to count(2)");
        assertThatThrownBy(
                        () ->
                                Activations.windowedSoftmax(
                                                in.keyBy(r -> r.sensor), FEATURES, result)
                                        .activation("softmax")
                                        .window("tumbling(1s)")
                                        .maxOutOfOrderness(Duration.ofSeconds(-1))
                                        .build())
                .hasMessageContaining("maxOutOfOrderness must not be negative");
        assertThatThrownBy(
                        () ->
                                Activations.windowedSoftmax(
                                                in.keyBy(r -> r.sensor), FEATURES, result)
                                        .activation("softmax")
                                        .window("hopping(1s)"))
                .hasMessageContaining("Unknown window 'hopping'");
        assertThatThrownBy(
                        () ->
                                Activations.map(
                                        in,
                                        "relu(2)",
                                        FEATURES,
                                        (reading, out) -> reading.withFeatures(out)))
                .hasMessageContaining("relu takes no parameters");
    }
}
