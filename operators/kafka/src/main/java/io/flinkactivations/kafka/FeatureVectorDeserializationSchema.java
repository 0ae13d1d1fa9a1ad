package io.flinkactivations.kafka;

import io.flinkactivations.format.BadRecordException;
import io.flinkactivations.format.F32le;
import io.flinkactivations.format.JsonRecord;
import io.flinkactivations.format.RecordFormat;
import io.flinkactivations.stream.BadRecordReason;
import io.flinkactivations.stream.EventTime;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads Kafka records into {@link FeatureVector}s, parsing each value once. A record that cannot be
 * processed becomes a bad record (with its reason and original bytes) instead of failing the job,
 * so that the pipeline routes it to the dead-letter topic: every record that enters comes out
 * somewhere.
 *
 * <p>Bad are: a value that is not the format, larger than the size limit, or whose result could be
 * larger than the results' topic takes (with {@link #withResults}); and an event time (the JSON
 * {@code ts}, else the Kafka timestamp) outside {@link EventTime#isValid}. Nothing a record holds
 * makes this class throw: an exception it does not expect is a bad record too.
 */
@PublicEvolving
public final class FeatureVectorDeserializationSchema
        implements KafkaRecordDeserializationSchema<FeatureVector> {
    private static final long serialVersionUID = 1L;

    /** Default limit on a value's size. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;

    private final RecordFormat format;
    private final int maxRecordBytes;
    private final FeatureVectorSerializationSchema results;

    private FeatureVectorDeserializationSchema(
            RecordFormat format, int maxRecordBytes, FeatureVectorSerializationSchema results) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException(
                    "maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        this.format = format;
        this.maxRecordBytes = maxRecordBytes;
        this.results = results;
    }

    public FeatureVectorDeserializationSchema(RecordFormat format, int maxRecordBytes) {
        this(format, maxRecordBytes, null);
    }

    public FeatureVectorDeserializationSchema(RecordFormat format) {
        this(format, DEFAULT_MAX_RECORD_BYTES);
    }

    /**
     * This schema, also turning away (as {@code oversized}) each record whose result could be
     * larger than {@code results}' topic takes: it goes to the dead letters whole, with its
     * original bytes, rather than as a result that Kafka would refuse.
     */
    public FeatureVectorDeserializationSchema withResults(
            FeatureVectorSerializationSchema results) {
        return new FeatureVectorDeserializationSchema(format, maxRecordBytes, results);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<FeatureVector> out) {
        out.collect(
                read(
                        record.key(),
                        record.value(),
                        record.timestamp(),
                        record.topic(),
                        record.partition(),
                        record.offset()));
    }

    /** One record from its parts; never throws. */
    public FeatureVector read(
            byte[] key,
            byte[] value,
            long kafkaTimestamp,
            String topic,
            int partition,
            long offset) {
        try {
            return parse(key, value, kafkaTimestamp, topic, partition, offset);
        } catch (BadRecordException e) {
            return FeatureVectors.bad(
                    key,
                    value,
                    kafkaTimestamp,
                    topic,
                    partition,
                    offset,
                    e.reason(),
                    e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            // a reader's bug must not stop the job: the record is a dead letter that names the
            // error
            return FeatureVectors.bad(
                    key,
                    value,
                    kafkaTimestamp,
                    topic,
                    partition,
                    offset,
                    format == RecordFormat.F32LE
                            ? BadRecordReason.TRUNCATED_F32
                            : BadRecordReason.MALFORMED_JSON,
                    "could not be read: " + e);
        }
    }

    private FeatureVector parse(
            byte[] key, byte[] value, long kafkaTimestamp, String topic, int partition, long offset)
            throws BadRecordException {
        if (value == null) {
            throw new BadRecordException(
                    BadRecordReason.EMPTY_VECTOR, "the record has no value (a tombstone)");
        }
        if (value.length > maxRecordBytes) {
            throw new BadRecordException(
                    BadRecordReason.OVERSIZED,
                    "the value has "
                            + value.length
                            + " bytes, more than the limit of "
                            + maxRecordBytes);
        }
        int keyBytes = key == null ? 0 : key.length;
        if (format == RecordFormat.F32LE) {
            float[] features = F32le.parse(value);
            checkEventTime(kafkaTimestamp, "the Kafka timestamp");
            checkResultFits(keyBytes, value.length, 0, features.length, true);
            return FeatureVectors.f32le(key, features, kafkaTimestamp, topic, partition, offset);
        }
        JsonRecord.Layout layout = JsonRecord.parse(value, 0, value.length);
        long eventTime = layout.hasTimestamp() ? layout.timestamp() : kafkaTimestamp;
        checkEventTime(eventTime, layout.hasTimestamp() ? "\"ts\"" : "the Kafka timestamp");
        checkResultFits(
                keyBytes,
                value.length,
                layout.featuresEnd() - layout.featuresStart(),
                layout.features().length,
                layout.isBareArray());
        return FeatureVectors.json(key, value, layout, eventTime, topic, partition, offset);
    }

    private static void checkEventTime(long t, String from) throws BadRecordException {
        if (!EventTime.isValid(t)) {
            throw new BadRecordException(
                    BadRecordReason.INVALID_TIMESTAMP,
                    "the event time "
                            + t
                            + " ("
                            + from
                            + ") is not between 0 (1970-01-01) and "
                            + EventTime.MAX
                            + " (9999-12-31) epoch ms");
        }
    }

    private void checkResultFits(
            int keyBytes, int valueBytes, int arrayBytes, int dimension, boolean bareArray)
            throws BadRecordException {
        if (results == null) {
            return;
        }
        int bound = results.maxResultBytes(keyBytes, valueBytes, arrayBytes, dimension, bareArray);
        int limit = results.limits().maxRecordBytes();
        if (bound > limit) {
            throw new BadRecordException(
                    BadRecordReason.OVERSIZED,
                    "its result could take "
                            + bound
                            + " bytes with its key, more than topic "
                            + results.topic()
                            + " takes ("
                            + limit
                            + "; set by the"
                            + " topic's max.message.bytes and the producer's max.request.size)"
                            + (format == RecordFormat.JSON
                                    ? "; large vectors fit better as f32le"
                                    : ""));
        }
    }

    @Override
    public TypeInformation<FeatureVector> getProducedType() {
        return FeatureVectorTypeInfo.INSTANCE;
    }
}
