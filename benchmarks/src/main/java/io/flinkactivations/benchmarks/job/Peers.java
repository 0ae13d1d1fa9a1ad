package io.flinkactivations.benchmarks.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkactivations.format.RecordFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The JVM peers {@code bin/bench-job} runs beside the job on the same records: what a team writes
 * without this project to apply the job's op ({@code leaky_relu(0.2)}) to each record, on plain
 * Kafka clients or in Kafka Streams. JSON goes through Jackson's tree model, as the project's own
 * Kafka Streams example reads it (the features replaced, the job's {@code activation} field added);
 * f32le through a float loop over the little-endian bytes.
 */
final class Peers {
    private static final float SLOPE = 0.2f;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Peers() {}

    /** The peer's work on one record's value. */
    static UnaryOperator<byte[]> transform(RecordFormat format, String activation) {
        return format == RecordFormat.F32LE ? Peers::f32le : value -> json(value, activation);
    }

    private static float leakyRelu(float x) {
        return x > 0 ? x : x * SLOPE;
    }

    static byte[] json(byte[] value, String activation) {
        try {
            ObjectNode record = (ObjectNode) JSON.readTree(value);
            ArrayNode features = (ArrayNode) record.get("features");
            for (int i = 0; i < features.size(); i++) {
                features.set(i, FloatNode.valueOf(leakyRelu(features.get(i).floatValue())));
            }
            record.put("activation", activation);
            return JSON.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] f32le(byte[] value) {
        ByteBuffer in = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        byte[] out = new byte[value.length];
        ByteBuffer o = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + Float.BYTES <= value.length; i += Float.BYTES) {
            o.putFloat(i, leakyRelu(in.getFloat(i)));
        }
        return out;
    }

    /**
     * Kafka Streams {@code mapValues} from {@code in} to {@code out}, at-least-once, committing
     * every second (as the job checkpoints), one stream thread per input partition, its clients
     * with the same properties as the job's; not started.
     */
    static KafkaStreams kafkaStreams(
            String bootstrapServers,
            String in,
            String out,
            int threads,
            UnaryOperator<byte[]> transform,
            Map<String, String> consumerProperties,
            Map<String, String> producerProperties,
            Path stateDir) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .mapValues(transform::apply)
                .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-streams-" + in);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        consumerProperties.forEach((k, v) -> p.put(StreamsConfig.consumerPrefix(k), v));
        producerProperties.forEach((k, v) -> p.put(StreamsConfig.producerPrefix(k), v));
        return new KafkaStreams(builder.build(), p);
    }
}
