package io.flinkactivations.kafka;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.format.F32le;
import io.flinkactivations.format.JsonRecord;
import io.flinkactivations.format.RecordFormat;
import io.flinkactivations.stream.FeatureVector;
import io.flinkactivations.stream.FeatureVectors;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes results to Kafka with the input's key. {@code json}: the input object with {@code features}
 * replaced, plus {@code "activation": "<canonical spec>"} and, for window outputs,
 * {@code "window": {"start": ms, "end": ms, "count": N}} (a bare array in gives a bare array out).
 * {@code f32le}: the raw float32s.
 */
public final class FeatureVectorSerializationSchema implements KafkaRecordSerializationSchema<FeatureVector> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final RecordFormat format;
    private final String activationField;
    /** The activation field in UTF-8, encoded once: most outputs carry nothing else. */
    private final byte[] activationFieldBytes;

    public FeatureVectorSerializationSchema(String topic, RecordFormat format, ActivationSpec activation) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.format = Objects.requireNonNull(format, "format");
        this.activationField = "\"activation\":" + JsonRecord.quote(activation.canonical());
        this.activationFieldBytes = activationField.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(FeatureVector v, KafkaSinkContext context, Long timestamp) {
        byte[] value;
        if (format == RecordFormat.F32LE) {
            value = F32le.write(v.features(), 0, v.dimension());
        } else {
            byte[] extra = activationFieldBytes;
            if (v.isWindowOutput()) {
                extra = (activationField + ",\"window\":{\"start\":" + v.windowStart() + ",\"end\":" + v.windowEnd()
                        + ",\"count\":" + v.windowCount() + "}").getBytes(StandardCharsets.UTF_8);
            }
            value = FeatureVectors.jsonValue(v, extra);
        }
        return new ProducerRecord<>(topic, null, v.timestamp(), v.key(), value);
    }
}
