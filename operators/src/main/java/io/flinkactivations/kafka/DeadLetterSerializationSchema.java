package io.flinkactivations.kafka;

import io.flinkactivations.stream.FeatureVector;
import io.flinkactivations.stream.FeatureVectors;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes dead letters the way Kafka Connect does: the original key and value bytes unchanged, with
 * headers saying what went wrong and where the record came from, so it can be fixed and replayed.
 */
public final class DeadLetterSerializationSchema implements KafkaRecordSerializationSchema<FeatureVector> {
    private static final long serialVersionUID = 1L;

    /** Kafka Connect's error header names ({@code errors.deadletterqueue.context.headers.enable}). */
    public static final String HEADER_TOPIC = "__connect.errors.topic";
    public static final String HEADER_PARTITION = "__connect.errors.partition";
    public static final String HEADER_OFFSET = "__connect.errors.offset";
    public static final String HEADER_EXCEPTION_CLASS = "__connect.errors.exception.class.name";
    public static final String HEADER_EXCEPTION_MESSAGE = "__connect.errors.exception.message";
    public static final String HEADER_STAGE = "__connect.errors.stage";
    /** The machine-readable reason, e.g. {@code malformed-json}, {@code late}. */
    public static final String HEADER_REASON = "__connect.errors.reason";

    private final String topic;

    public DeadLetterSerializationSchema(String topic) {
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(FeatureVector v, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        add(headers, HEADER_REASON, v.badReason().code());
        add(headers, HEADER_EXCEPTION_CLASS, "io.flinkactivations.format.BadRecordException");
        add(headers, HEADER_EXCEPTION_MESSAGE, v.badMessage());
        add(headers, HEADER_STAGE, v.features() == null ? "VALUE_CONVERTER" : "TRANSFORMATION");
        if (v.topic() != null) {
            add(headers, HEADER_TOPIC, v.topic());
            add(headers, HEADER_PARTITION, Integer.toString(v.partition()));
            add(headers, HEADER_OFFSET, Long.toString(v.offset()));
        }
        return new ProducerRecord<>(topic, null, v.timestamp(), v.key(), FeatureVectors.originalValue(v), headers);
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
    }
}
