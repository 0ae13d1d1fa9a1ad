package io.flinkactivations.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.stream.ActivationResult;
import io.flinkactivations.stream.BadRecordReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operators on {@link FeatureVector}s on a MiniCluster without Kafka: their metrics count the
 * Kafka formats' dead letters too.
 */
class FeatureVectorOperatorsITCase {
    static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    static long counter(JobID job, String suffix) {
        long sum = 0;
        for (Map.Entry<String, Metric> e : REPORTER.getMetricsByIdentifiers(job).entrySet()) {
            if (e.getKey().endsWith(suffix) && e.getValue() instanceof Counter c) {
                sum += c.getCount();
            }
        }
        return sum;
    }

    @Test
    void metricsCountRecordsDeadLettersAndNonFiniteValues() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        List<FeatureVector> in = new ArrayList<>();
        in.add(FeatureVector.of(new float[] {1, -2}, 0));
        in.add(
                FeatureVector.of(
                        new float[] {Float.NaN, Float.POSITIVE_INFINITY},
                        1)); // 2 non-finite outputs
        in.add(
                FeatureVectors.bad(
                        null, new byte[] {'x'}, 2, "t", 0, 5, BadRecordReason.MALFORMED_JSON, "x"));
        in.add(
                FeatureVectors.bad(
                        null, new byte[] {'y'}, 3, "t", 0, 6, BadRecordReason.WRONG_TYPE, "y"));
        in.add(
                FeatureVectors.bad(
                        null, new byte[] {'z'}, 4, "t", 0, 7, BadRecordReason.WRONG_TYPE, "z"));
        DataStream<FeatureVector> vectors =
                env.fromData(FeatureVectorTypeInfo.INSTANCE, in.toArray(FeatureVector[]::new));
        ActivationResult<FeatureVector, FeatureVector> r =
                FeatureVectorActivations.map(vectors, "relu");
        r.output()
                .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>())
                .name("results");
        r.deadLetters()
                .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>())
                .name("dead letters");
        JobExecutionResult result = env.execute("metrics");
        JobID job = result.getJobID();
        assertThat(counter(job, "activations.recordsIn")).isEqualTo(5);
        assertThat(counter(job, "activations.recordsOut")).isEqualTo(2);
        assertThat(counter(job, "activations.nonFiniteValues")).isEqualTo(2);
        assertThat(counter(job, "activations.reason.malformed-json.deadLettered")).isEqualTo(1);
        assertThat(counter(job, "activations.reason.wrong-type.deadLettered")).isEqualTo(2);
    }
}
