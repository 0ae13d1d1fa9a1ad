package com.example.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.stream.ActivationResult;
import io.flinkactivations.stream.Activations;
import io.flinkactivations.stream.FeatureVector;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exactly what README.md's "Using the operators in your pipeline" example does, from a package
 * outside the project's, on a MiniCluster: the public API is enough.
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

    @Test
    void theReadmeExample() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        // --- README example starts
        DataStream<FeatureVector> vectors = env.fromData(
                FeatureVector.of(new float[] {1, -2, 3, -5}, 0L),
                FeatureVector.of(new float[] {1, 0, 0, 0}, 1L));

        ActivationResult<FeatureVector, FeatureVector> leaky = Activations.map(vectors, "leaky_relu(0.2)");

        ActivationResult<FeatureVector, FeatureVector> softmax = Activations.windowedSoftmax(vectors)
                .activation("softmax")
                .window("count(2)")      // or tumbling(10s), sliding(10s, 1s), session(30s)
                .build();
        // leaky.output(), softmax.output(): results; *.deadLetters(): records that could not be processed
        // --- README example ends

        List<FeatureVector> mapped = collect(leaky.output());
        assertThat(mapped).extracting(FeatureVector::features)
                .containsExactlyInAnyOrder(new float[] {1f, -0.4f, 3f, -1f}, new float[] {1f, 0f, 0f, 0f});

        List<FeatureVector> windowed = collect(softmax.output());
        assertThat(windowed).hasSize(2).allSatisfy(v -> assertThat(v.windowCount()).isEqualTo(2));
        float[] first = windowed.stream().filter(v -> v.timestamp() == 0L).findFirst().orElseThrow().features();
        // softmax across the 2 records, per feature: [1, 1] -> 0.5; [-2, 0] -> 0.1192; [3, 0] -> 0.9526; [-5, 0] -> 0.0067
        assertThat(first[0]).isEqualTo(0.5f);
        assertThat(first[1]).isCloseTo(0.11920292f, org.assertj.core.data.Offset.offset(1e-7f));
        assertThat(first[2]).isCloseTo(0.95257413f, org.assertj.core.data.Offset.offset(1e-7f));
        assertThat(collect(leaky.deadLetters())).isEmpty();
    }
}
