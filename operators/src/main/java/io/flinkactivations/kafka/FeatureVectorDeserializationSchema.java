package io.flinkactivations.kafka;

import io.flinkactivations.format.BadRecordException;
import io.flinkactivations.format.BadRecordReason;
import io.flinkactivations.format.F32le;
import io.flinkactivations.format.JsonRecord;
import io.flinkactivations.format.RecordFormat;
import io.flinkactivations.stream.FeatureVector;
import io.flinkactivations.stream.FeatureVectorTypeInfo;
import io.flinkactivations.stream.FeatureVectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads Kafka records into {@link FeatureVector}s, parsing each value once. A value that cannot be
 * read becomes a bad record (with its reason and original bytes) instead of failing the job, so
 * that the pipeline routes it to the dead-letter topic: every record that enters comes out somewhere.
 */
public final class FeatureVectorDeserializationSchema implements KafkaRecordDeserializationSchema<FeatureVector> {
    private static final long serialVersionUID = 1L;

    /** Default limit on a value's size. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;

    private final RecordFormat format;
    private final int maxRecordBytes;

    public FeatureVectorDeserializationSchema(RecordFormat format, int maxRecordBytes) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        this.format = format;
        this.maxRecordBytes = maxRecordBytes;
    }

    public FeatureVectorDeserializationSchema(RecordFormat format) {
        this(format, DEFAULT_MAX_RECORD_BYTES);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<FeatureVector> out) {
        out.collect(read(record.key(), record.value(), record.timestamp(), record.topic(), record.partition(),
                record.offset()));
    }

    /** One record from its parts; never throws for bad data. */
    public FeatureVector read(byte[] key, byte[] value, long kafkaTimestamp, String topic, int partition, long offset) {
        try {
            if (value == null) {
                throw new BadRecordException(BadRecordReason.EMPTY_VECTOR, "the record has no value (a tombstone)");
            }
            if (value.length > maxRecordBytes) {
                throw new BadRecordException(BadRecordReason.OVERSIZED,
                        "the value has " + value.length + " bytes, more than the limit of " + maxRecordBytes);
            }
            if (format == RecordFormat.F32LE) {
                return FeatureVectors.f32le(key, F32le.parse(value), kafkaTimestamp, topic, partition, offset);
            }
            JsonRecord.Layout layout = JsonRecord.parse(value, 0, value.length);
            return FeatureVectors.json(key, value, layout, layout.hasTimestamp() ? layout.timestamp() : kafkaTimestamp,
                    topic, partition, offset);
        } catch (BadRecordException e) {
            return FeatureVectors.bad(key, value, kafkaTimestamp, topic, partition, offset, e.reason(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<FeatureVector> getProducedType() {
        return FeatureVectorTypeInfo.INSTANCE;
    }
}
