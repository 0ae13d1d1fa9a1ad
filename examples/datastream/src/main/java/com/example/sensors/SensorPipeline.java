package com.example.sensors;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkactivations.stream.ActivationResult;
import io.flinkactivations.stream.Activations;
import io.flinkactivations.stream.DeadLetter;
import io.flinkactivations.stream.Features;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.json.JsonSerializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Reads sensor readings (JSON) from Kafka topic {@code readings}, writes each reading through GELU
 * to {@code readings-gelu}, each sensor's readings softmax-normalised across 10-second windows to
 * {@code readings-softmax}, and every reading either operator could not take to {@code
 * readings-dead-letters}. Reads what the topic holds when it starts, then ends.
 *
 * <pre>
 *   mvn -q compile exec:exec -Dbootstrap=localhost:9092
 * </pre>
 */
public class SensorPipeline {

    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "localhost:9092";
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // fail rather than fall back to Kryo
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);

        KafkaSource<SensorReading> source =
                KafkaSource.<SensorReading>builder()
                        .setBootstrapServers(bootstrap)
                        .setTopics("readings")
                        .setGroupId("sensor-activations")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .setValueOnlyDeserializer(new ReadingDeserializer())
                        .build();
        // time windows need event time: the reading's ts, readings up to 2 s out of order
        WatermarkStrategy<SensorReading> eventTime =
                WatermarkStrategy.<SensorReading>forBoundedOutOfOrderness(Duration.ofSeconds(2))
                        .withTimestampAssigner((reading, kafkaTimestamp) -> reading.ts);
        DataStream<SensorReading> readings = env.fromSource(source, eventTime, "readings");

        Features<SensorReading, float[]> features = Features.floats(reading -> reading.features);

        ActivationResult<SensorReading, DeadLetter<SensorReading>> gelu =
                Activations.map(
                        readings,
                        "gelu(approximate='tanh')",
                        features,
                        SensorReading::withFeatures);

        ActivationResult<WindowedReading, DeadLetter<SensorReading>> softmax =
                Activations.windowedSoftmax(
                                readings.keyBy(SensorPipeline::sensorKey),
                                features,
                                WindowedReading::of,
                                Types.POJO(WindowedReading.class))
                        .activation("softmax")
                        .window("tumbling(10 s)")
                        .build();

        gelu.output()
                .sinkTo(sink(bootstrap, "readings-gelu", SensorReading.class))
                .name("gelu results");
        softmax.output()
                .sinkTo(sink(bootstrap, "readings-softmax", WindowedReading.class))
                .name("softmax results");
        gelu.deadLetters()
                .union(softmax.deadLetters())
                .map(Rejected::of, Types.POJO(Rejected.class))
                .sinkTo(sink(bootstrap, "readings-dead-letters", Rejected.class))
                .name("dead letters");

        env.execute("sensor activations");
    }

    /**
     * Flink keys must not be null: a reading without a sensor (one that could not be read) gets "".
     */
    static String sensorKey(SensorReading reading) {
        return reading.sensor == null ? "" : reading.sensor;
    }

    static <T> KafkaSink<T> sink(String bootstrap, String topic, Class<T> type) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(
                        KafkaRecordSerializationSchema.<T>builder()
                                .setTopic(topic)
                                .setValueSerializationSchema(new JsonSerializationSchema<T>())
                                .build())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /**
     * JSON to SensorReading; a value that is not a reading becomes one without features, kept raw.
     */
    static class ReadingDeserializer implements DeserializationSchema<SensorReading> {
        private transient ObjectMapper mapper;

        @Override
        public SensorReading deserialize(byte[] message) {
            if (mapper == null) {
                mapper =
                        new ObjectMapper()
                                .configure(
                                        DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
            }
            try {
                SensorReading reading = mapper.readValue(message, SensorReading.class);
                if (reading != null) {
                    return reading;
                }
            } catch (IOException | RuntimeException e) {
                // not a reading: kept raw, it goes to the dead letters (no features)
            }
            SensorReading bad = new SensorReading();
            bad.raw = message == null ? "" : new String(message, StandardCharsets.UTF_8);
            return bad;
        }

        @Override
        public boolean isEndOfStream(SensorReading next) {
            return false;
        }

        @Override
        public TypeInformation<SensorReading> getProducedType() {
            return Types.POJO(SensorReading.class);
        }
    }
}
