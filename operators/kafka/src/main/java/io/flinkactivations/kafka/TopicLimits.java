package io.flinkactivations.kafka;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.kafka.common.header.Header;

/**
 * What a Kafka topic takes from this job's producers and keeps: records up to a size, and
 * timestamps within a range around the broker's clock. Kafka refuses a record outside either
 * ({@code RecordTooLargeException}, {@code InvalidTimestampException}), and a refused write fails
 * the sink, and again after every restart, since the same record comes back; and it deletes a
 * record whose timestamp is older than the topic's retention at its next retention check, minutes
 * after it was written. So the serializers check each record against its topic's limits before they
 * hand it to Kafka.
 *
 * <p>The limits come from the topic's configuration ({@code max.message.bytes}, {@code
 * message.timestamp.type}, {@code message.timestamp.before.max.ms}, {@code
 * message.timestamp.after.max.ms}, {@code retention.ms}) and the producer's ({@code
 * max.request.size}, {@code buffer.memory}); {@link #KAFKA_DEFAULTS} are Kafka 4's defaults of all
 * of them.
 */
@PublicEvolving
public final class TopicLimits implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Kafka 4's defaults: records up to 1 MiB, CreateTime timestamps up to 1 hour ahead, kept 7
     * days.
     */
    public static final TopicLimits KAFKA_DEFAULTS = of(Map.of(), Map.of());

    /**
     * Room kept below the size limits for a compression codec's framing of incompressible bytes.
     */
    static int compressionAllowance(int limit) {
        return 256 + limit / 256;
    }

    /**
     * How far inside the topic's timestamp range a sent timestamp stays: for a producer's clock
     * that differs from the broker's and for records that wait in the producer's buffer.
     */
    static final long TIMESTAMP_MARGIN_MS = 60_000;

    private final int maxRecordBytes;
    private final boolean logAppendTime;
    private final long beforeMaxMs;
    private final long afterMaxMs;

    /** How long the topic keeps a record after its timestamp; {@code Long.MAX_VALUE}: for ever. */
    private final long retentionMs;

    /**
     * Timestamps up to here were in range when last checked; the bound only grows with the clock.
     */
    private transient long acceptedUntil = -1;

    /**
     * @param maxRecordBytes the largest record, as {@link #recordSize} counts it, that the producer
     *     sends and the topic stores
     * @param logAppendTime the topic stamps records itself ({@code
     *     message.timestamp.type=LogAppendTime})
     * @param beforeMaxMs how far behind the broker's clock a timestamp may be
     * @param afterMaxMs how far ahead of the broker's clock a timestamp may be
     * @param retentionMs how long the topic keeps a record after its timestamp ({@code
     *     Long.MAX_VALUE}: for ever)
     */
    public TopicLimits(
            int maxRecordBytes,
            boolean logAppendTime,
            long beforeMaxMs,
            long afterMaxMs,
            long retentionMs) {
        if (maxRecordBytes < 1 || beforeMaxMs < 0 || afterMaxMs < 0 || retentionMs < 1) {
            throw new IllegalArgumentException(
                    "Bad topic limits: "
                            + maxRecordBytes
                            + " bytes, "
                            + beforeMaxMs
                            + " ms before, "
                            + afterMaxMs
                            + " ms after, kept "
                            + retentionMs
                            + " ms");
        }
        this.maxRecordBytes = maxRecordBytes;
        this.logAppendTime = logAppendTime;
        this.beforeMaxMs = beforeMaxMs;
        this.afterMaxMs = afterMaxMs;
        this.retentionMs = retentionMs;
    }

    /**
     * The limits of a topic from its configuration and the producer's properties; a setting that is
     * missing takes Kafka's default.
     */
    public static TopicLimits of(Map<String, String> topicConfigs, Map<?, ?> producerProperties) {
        long maxMessageBytes = number(topicConfigs, "max.message.bytes", 1_048_588);
        long maxRequestSize = number(producerProperties, "max.request.size", 1_048_576);
        long bufferMemory = number(producerProperties, "buffer.memory", 33_554_432);
        int limit =
                (int)
                        Math.min(
                                Integer.MAX_VALUE,
                                Math.min(Math.min(maxRequestSize, bufferMemory), maxMessageBytes));
        limit -= compressionAllowance(limit);
        long retention = number(topicConfigs, "retention.ms", 604_800_000);
        return new TopicLimits(
                Math.max(limit, 1),
                "LogAppendTime"
                        .equalsIgnoreCase(
                                topicConfigs.getOrDefault("message.timestamp.type", "CreateTime")),
                number(topicConfigs, "message.timestamp.before.max.ms", Long.MAX_VALUE),
                number(topicConfigs, "message.timestamp.after.max.ms", 3_600_000),
                retention < 0 ? Long.MAX_VALUE : Math.max(retention, 1));
    }

    private static long number(Map<?, ?> settings, String name, long kafkaDefault) {
        Object v = settings.get(name);
        if (v == null) {
            return kafkaDefault;
        }
        try {
            return Long.parseLong(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + v + "' is not a whole number");
        }
    }

    /** The largest record, as {@link #recordSize} counts it, that the topic takes. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /**
     * At least the bytes Kafka counts for one record against {@code max.request.size} and {@code
     * max.message.bytes}: the record in a batch of its own (the batch header, and each length as a
     * varint of at most 5 bytes).
     */
    public static int recordSize(int keyBytes, int valueBytes, Header[] headers) {
        long size = RECORD_BATCH_OVERHEAD + MAX_RECORD_OVERHEAD + keyBytes + valueBytes + 5;
        for (Header h : headers) {
            size += 10 + utf8Length(h.key()) + (h.value() == null ? 0 : h.value().length);
        }
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    /** Kafka's record batch header (DefaultRecordBatch.RECORD_BATCH_OVERHEAD). */
    static final int RECORD_BATCH_OVERHEAD = 61;

    /**
     * A record's length, attributes, timestamp and offset deltas, key and value lengths, at their
     * largest.
     */
    static final int MAX_RECORD_OVERHEAD = 21 + 10;

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * The timestamp to send a record with event time {@code t}: {@code t} itself when the topic
     * takes and keeps it, else null, which makes the producer stamp the record with its clock.
     * Kafka's producer refuses negative timestamps; a CreateTime topic refuses those outside [now -
     * before.max.ms, now + after.max.ms] on the broker's clock, and deletes those older than now -
     * retention.ms (a LogAppendTime topic stamps records itself).
     */
    public Long timestamp(long t) {
        if (t < 0) {
            return null;
        }
        if (logAppendTime) {
            return t;
        }
        boolean noLowerBound = beforeMaxMs == Long.MAX_VALUE && retentionMs == Long.MAX_VALUE;
        if (t <= acceptedUntil && noLowerBound) {
            return t; // no need to read the clock: the upper bound only grows
        }
        long now = System.currentTimeMillis();
        acceptedUntil =
                afterMaxMs == Long.MAX_VALUE
                        ? Long.MAX_VALUE
                        : now + afterMaxMs - margin(afterMaxMs);
        long acceptedFrom = Math.max(lowerBound(now, beforeMaxMs), lowerBound(now, retentionMs));
        return t >= acceptedFrom && t <= acceptedUntil ? t : null;
    }

    private static long lowerBound(long now, long range) {
        return range == Long.MAX_VALUE ? 0 : now - range + margin(range);
    }

    private static long margin(long range) {
        return Math.min(TIMESTAMP_MARGIN_MS, range / 2);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicLimits l
                && l.maxRecordBytes == maxRecordBytes
                && l.logAppendTime == logAppendTime
                && l.beforeMaxMs == beforeMaxMs
                && l.afterMaxMs == afterMaxMs
                && l.retentionMs == retentionMs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxRecordBytes, logAppendTime, beforeMaxMs, afterMaxMs, retentionMs);
    }

    @Override
    public String toString() {
        return "records up to "
                + maxRecordBytes
                + " bytes, "
                + (logAppendTime
                        ? "LogAppendTime"
                        : "CreateTime from now-"
                                + ms(Math.min(beforeMaxMs, retentionMs))
                                + " to now+"
                                + ms(afterMaxMs));
    }

    private static String ms(long v) {
        return v == Long.MAX_VALUE ? "any" : v + "ms";
    }
}
