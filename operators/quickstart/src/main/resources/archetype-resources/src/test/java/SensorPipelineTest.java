package ${package};

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.flinkactivations.stream.DeadLetter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The pipeline on a Flink MiniCluster, its outputs checked against PyTorch's numbers. */
class SensorPipelineTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    static SensorPipeline.Outputs pipeline() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<SensorReading> readings = env
                .fromData(
                        new SensorReading("s1", 1_000L, new float[] {1, -2, 3}),
                        new SensorReading("s1", 4_000L, new float[] {2, 0, 1}),
                        new SensorReading("s1", 6_000L, new float[] {1, 1}))    // not s1's dimension
                .assignTimestampsAndWatermarks(SensorPipeline.eventTime());
        return SensorPipeline.build(readings);
    }

    static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> out = new ArrayList<>();
        try (CloseableIterator<T> it = stream.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    static List<SensorReading> byTime(List<SensorReading> readings) {
        readings.sort(Comparator.comparingLong(SensorReading::timestamp));
        return readings;
    }

    @Test
    void geluIsPyTorchs() throws Exception {
        List<SensorReading> gelu = byTime(collect(pipeline().gelu()));
        assertThat(gelu).hasSize(3);
        // torch.nn.functional.gelu(torch.tensor([1., -2., 3.]), approximate='tanh')
        assertThat(gelu.get(0).features()).containsExactly(new float[] {0.8411920f, -0.0454023f, 2.9963627f},
                within(1e-6f));
    }

    @Test
    void softmaxNormalizesEachFeatureAcrossTheWindow() throws Exception {
        List<SensorReading> softmax = byTime(collect(pipeline().softmax()));
        assertThat(softmax).hasSize(2);
        // torch.softmax(torch.tensor([[1., -2., 3.], [2., 0., 1.]]), dim=0)
        assertThat(softmax.get(0).features()).containsExactly(new float[] {0.2689414f, 0.1192029f, 0.8807971f},
                within(1e-6f));
        assertThat(softmax.get(1).features()).containsExactly(new float[] {0.7310586f, 0.8807971f, 0.1192029f},
                within(1e-6f));
    }

    @Test
    void aReadingOfAnotherDimensionIsADeadLetter() throws Exception {
        List<DeadLetter<SensorReading>> dead = collect(pipeline().deadLetters());
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.reason().code()).isEqualTo("dimension-mismatch");
            assertThat(d.record().timestamp()).isEqualTo(6_000L);
        });
    }
}
