package ${package};

import io.flinkactivations.stream.ActivationResult;
import io.flinkactivations.stream.Activations;
import io.flinkactivations.stream.DeadLetter;
import io.flinkactivations.stream.Features;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * GELU of every reading, and a softmax across each sensor's 10-second windows: each feature
 * normalised over the window's readings. Readings the operators cannot take (no features, an empty
 * vector, another dimension than the sensor's first reading, too late for their window) come out as
 * dead letters, each with its reason.
 *
 * <p>Run it here with {@code mvn compile exec:exec}; {@code mvn package} builds the jar for
 * {@code flink run}.
 */
public final class SensorPipeline {

    /** What the pipeline gives. */
    public record Outputs(DataStream<SensorReading> gelu, DataStream<SensorReading> softmax,
                          DataStream<DeadLetter<SensorReading>> deadLetters) {}

    private SensorPipeline() {}

    /** The pipeline on readings that carry event times and watermarks. */
    public static Outputs build(DataStream<SensorReading> readings) {
        Features<SensorReading, float[]> features = Features.floats(SensorReading::features);

        ActivationResult<SensorReading, DeadLetter<SensorReading>> gelu = Activations.map(
                readings, "gelu(approximate='tanh')", features, SensorReading::withFeatures);

        ActivationResult<SensorReading, DeadLetter<SensorReading>> softmax = Activations
                .windowedSoftmax(readings.keyBy(SensorReading::sensor), features,
                        (reading, normalized, window) -> reading.withFeatures(normalized))
                .activation("softmax")
                .window("tumbling(10 s)")
                .build();

        return new Outputs(gelu.output(), softmax.output(), gelu.deadLetters().union(softmax.deadLetters()));
    }

    /** Event time from the readings, allowing them to arrive up to 2 seconds out of order. */
    public static WatermarkStrategy<SensorReading> eventTime() {
        return WatermarkStrategy.<SensorReading>forBoundedOutOfOrderness(Duration.ofSeconds(2))
                .withTimestampAssigner((reading, previous) -> reading.timestamp());
    }

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        // Your source goes here: a KafkaSource (org.apache.flink:flink-connector-kafka), files, ...
        DataStream<SensorReading> readings = env
                .fromData(
                        new SensorReading("s1", 1_000L, new float[] {1, -2, 3}),
                        new SensorReading("s1", 4_000L, new float[] {2, 0, 1}),
                        new SensorReading("s2", 5_000L, new float[] {0.5f, 1}),
                        new SensorReading("s1", 12_000L, new float[] {1, 1}))
                .assignTimestampsAndWatermarks(eventTime());

        Outputs out = build(readings);
        out.gelu().print("gelu");
        out.softmax().print("softmax");
        out.deadLetters().print("dead letter");
        env.execute("sensor activations");
    }
}
