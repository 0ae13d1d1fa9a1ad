package io.flinkactivations.kafka;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.format.F32le;
import io.flinkactivations.format.JsonRecord;
import io.flinkactivations.format.RecordFormat;
import io.flinkactivations.stream.BadRecordReason;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes results to Kafka with the input's key. {@code json}: the input object with {@code
 * features} replaced, plus {@code "activation": "<canonical spec>"} and, for window outputs, {@code
 * "window": {"start": ms, "end": ms, "count": N}} ({@code {"count": N}}, the windows its running
 * statistics have seen, for running_batch_norm) (a bare array in gives a bare array out). {@code
 * f32le}: the raw float32s.
 *
 * <p>A result's Kafka timestamp is its event time, or the time of writing (with the event time in
 * the header {@link DeadLetterSerializationSchema#HEADER_EVENT_TIME}) where the topic would refuse
 * it. A result larger than its topic takes ({@link TopicLimits}) goes to the dead letters instead
 * (reason {@code oversized}, with what the pipeline holds of the record: the JSON value it came
 * with, or for f32le the result's bytes; its headers name where the original is). {@link
 * #maxResultBytes} lets the deserializer turn such records away before they are processed, with
 * their original bytes, as the job does: then no result is too large.
 */
@PublicEvolving
public final class FeatureVectorSerializationSchema
        implements KafkaRecordSerializationSchema<FeatureVector> {
    private static final long serialVersionUID = 1L;

    /** The longest window field: {@code ,"window":{"start":<long>,"end":<long>,"count":<int>}}. */
    private static final int MAX_WINDOW_FIELD =
            ",\"window\":{\"start\":,\"end\":,\"count\":}".length() + 20 + 20 + 11;

    /**
     * Room for the one header a result may carry ({@link
     * DeadLetterSerializationSchema#HEADER_EVENT_TIME}).
     */
    private static final int HEADER_ROOM =
            10 + DeadLetterSerializationSchema.HEADER_EVENT_TIME.length() + 20;

    private final String topic;
    private final RecordFormat format;
    private final String activationField;

    /** The activation field in UTF-8, encoded once: most outputs carry nothing else. */
    private final byte[] activationFieldBytes;

    private final TopicLimits limits;
    private final DeadLetterSerializationSchema deadLetters;

    /**
     * @param limits what {@code topic} takes
     * @param deadLetters where a result that does not fit goes
     */
    public FeatureVectorSerializationSchema(
            String topic,
            RecordFormat format,
            ActivationSpec activation,
            TopicLimits limits,
            DeadLetterSerializationSchema deadLetters) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.format = Objects.requireNonNull(format, "format");
        this.activationField = "\"activation\":" + JsonRecord.quote(activation.canonical());
        this.activationFieldBytes = activationField.getBytes(StandardCharsets.UTF_8);
        this.limits = Objects.requireNonNull(limits, "limits");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    /**
     * Results for a topic with Kafka's default limits; those that do not fit go to {@code topic +
     * "-dlq"}.
     */
    public FeatureVectorSerializationSchema(
            String topic, RecordFormat format, ActivationSpec activation) {
        this(
                topic,
                format,
                activation,
                TopicLimits.KAFKA_DEFAULTS,
                new DeadLetterSerializationSchema(topic + "-dlq"));
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            FeatureVector v, KafkaSinkContext context, Long timestamp) {
        byte[] value;
        if (format == RecordFormat.F32LE) {
            value = F32le.write(v.features(), 0, v.dimension());
        } else {
            byte[] extra = activationFieldBytes;
            if (v.isWindowOutput()) {
                // no bounds: running_batch_norm's results, which no window holds
                String bounds =
                        v.windowStart() == Long.MIN_VALUE
                                ? ""
                                : "\"start\":"
                                        + v.windowStart()
                                        + ",\"end\":"
                                        + v.windowEnd()
                                        + ",";
                extra =
                        (activationField
                                        + ",\"window\":{"
                                        + bounds
                                        + "\"count\":"
                                        + v.windowCount()
                                        + "}")
                                .getBytes(StandardCharsets.UTF_8);
            }
            value = FeatureVectors.jsonValue(v, extra);
        }
        RecordHeaders headers = new RecordHeaders();
        Long ts = DeadLetterSerializationSchema.eventTime(limits, v.timestamp(), headers);
        int size =
                TopicLimits.recordSize(
                        v.key() == null ? 0 : v.key().length, value.length, headers.toArray());
        if (size > limits.maxRecordBytes()) {
            // not reached when the deserializer checks maxResultBytes; a result is never dropped
            // silently
            return deadLetters.serialize(
                    v.asBad(
                            BadRecordReason.OVERSIZED,
                            "the result has "
                                    + size
                                    + " bytes, more than topic "
                                    + topic
                                    + " takes ("
                                    + limits.maxRecordBytes()
                                    + ")"),
                    context,
                    timestamp);
        }
        return new ProducerRecord<>(topic, null, ts, v.key(), value, headers);
    }

    /**
     * At least the size, as {@link TopicLimits#recordSize} counts it, of the result of a record
     * with {@code keyBytes} of key and a value of {@code valueBytes} whose features array (JSON,
     * with its brackets) takes {@code arrayBytes} and holds {@code dimension} numbers; {@code
     * bareArray}: the JSON value is the array alone.
     */
    public int maxResultBytes(
            int keyBytes, int valueBytes, int arrayBytes, int dimension, boolean bareArray) {
        long resultValue =
                format == RecordFormat.F32LE
                        ? (long) dimension * Float.BYTES
                        : (long) valueBytes
                                - arrayBytes
                                + 2
                                + (long) dimension * (JsonRecord.MAX_NUMBER_CHARS + 1)
                                + (bareArray
                                        ? 0
                                        : 1 + activationFieldBytes.length + MAX_WINDOW_FIELD);
        return (int)
                Math.min(
                        Integer.MAX_VALUE,
                        TopicLimits.recordSize(keyBytes, 0, NO_HEADERS)
                                + HEADER_ROOM
                                + resultValue);
    }

    private static final org.apache.kafka.common.header.Header[] NO_HEADERS = {};

    /** What the results' topic takes. */
    public TopicLimits limits() {
        return limits;
    }

    public String topic() {
        return topic;
    }
}
