package io.flinkactivations.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes dead letters the way Kafka Connect does: the original key and value bytes unchanged, with
 * headers saying what went wrong and where the record came from, so it can be fixed and replayed.
 *
 * <p>A dead letter always fits its topic ({@link TopicLimits}): when the original key and value are
 * too large to send whole, the value (then, if need be, the key) is cut to what fits, and the
 * headers {@link #HEADER_TRUNCATED}, {@link #HEADER_ORIGINAL_VALUE_BYTES} and {@link
 * #HEADER_ORIGINAL_KEY_BYTES} say so; the original stays at the topic, partition and offset the
 * Connect headers name. Its timestamp is the record's, or the time of writing (with {@link
 * #HEADER_EVENT_TIME}) where the topic would refuse the record's.
 */
@PublicEvolving
public final class DeadLetterSerializationSchema
        implements KafkaRecordSerializationSchema<FeatureVector> {
    private static final long serialVersionUID = 1L;

    /**
     * Kafka Connect's error header names ({@code errors.deadletterqueue.context.headers.enable}).
     */
    public static final String HEADER_TOPIC = "__connect.errors.topic";

    public static final String HEADER_PARTITION = "__connect.errors.partition";
    public static final String HEADER_OFFSET = "__connect.errors.offset";
    public static final String HEADER_EXCEPTION_CLASS = "__connect.errors.exception.class.name";
    public static final String HEADER_EXCEPTION_MESSAGE = "__connect.errors.exception.message";
    public static final String HEADER_STAGE = "__connect.errors.stage";

    /** The machine-readable reason, e.g. {@code malformed-json}, {@code late}. */
    public static final String HEADER_REASON = "__connect.errors.reason";

    /**
     * What was cut to make the dead letter fit: {@code value} or {@code key,value}; absent when
     * nothing was.
     */
    public static final String HEADER_TRUNCATED = "activations.truncated";

    /** The original value's size in bytes, when it was cut. */
    public static final String HEADER_ORIGINAL_VALUE_BYTES = "activations.original.value.bytes";

    /** The original key's size in bytes, when it was cut. */
    public static final String HEADER_ORIGINAL_KEY_BYTES = "activations.original.key.bytes";

    /**
     * The record's event time (epoch ms), on a record written with the time of writing instead
     * because its topic would refuse the event time as a Kafka timestamp (results carry it too).
     */
    public static final String HEADER_EVENT_TIME = "activations.event-time";

    private final String topic;
    private final TopicLimits limits;

    public DeadLetterSerializationSchema(String topic, TopicLimits limits) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Dead letters for a topic with Kafka's default limits. */
    public DeadLetterSerializationSchema(String topic) {
        this(topic, TopicLimits.KAFKA_DEFAULTS);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            FeatureVector v, KafkaSinkContext context, Long timestamp) {
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
        Long ts = eventTime(limits, v.timestamp(), headers);
        byte[] key = v.key();
        byte[] value = FeatureVectors.originalValue(v);
        int keyBytes = key == null ? 0 : key.length;
        int valueBytes = value == null ? 0 : value.length;
        if (TopicLimits.recordSize(keyBytes, valueBytes, headers.toArray())
                > limits.maxRecordBytes()) {
            // the headers that say what was cut, at their longest, before the room left is measured
            add(headers, HEADER_ORIGINAL_VALUE_BYTES, Integer.toString(valueBytes));
            add(headers, HEADER_ORIGINAL_KEY_BYTES, Integer.toString(keyBytes));
            add(headers, HEADER_TRUNCATED, "key,value");
            int room = limits.maxRecordBytes() - TopicLimits.recordSize(0, 0, headers.toArray());
            if (keyBytes <= room) {
                headers.remove(HEADER_ORIGINAL_KEY_BYTES);
                headers.remove(HEADER_TRUNCATED);
                add(headers, HEADER_TRUNCATED, "value");
            } else {
                key = Arrays.copyOf(key, Math.max(room, 0));
            }
            value =
                    value == null
                            ? null
                            : Arrays.copyOf(
                                    value, Math.max(room - (key == null ? 0 : key.length), 0));
        }
        return new ProducerRecord<>(topic, null, ts, key, value, headers);
    }

    /**
     * The Kafka timestamp for a record with event time {@code t} on a topic with {@code limits}: t,
     * or null (the time of writing) with t in {@link #HEADER_EVENT_TIME}.
     */
    static Long eventTime(TopicLimits limits, long t, RecordHeaders headers) {
        Long ts = limits.timestamp(t);
        if (ts == null) {
            add(headers, HEADER_EVENT_TIME, Long.toString(t));
        }
        return ts;
    }

    static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
    }
}
