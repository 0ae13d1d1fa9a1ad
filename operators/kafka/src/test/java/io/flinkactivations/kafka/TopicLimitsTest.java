package io.flinkactivations.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkactivations.testutils.RandomCases;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TopicLimitsTest {
    private static final long HOUR = 3_600_000L;

    /** The size Kafka's producer checks against max.request.size (KafkaProducer.doSend). */
    static int kafkaSize(byte[] key, byte[] value, Header[] headers) {
        return AbstractRecords.estimateSizeInBytesUpperBound(
                RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE, key, value, headers);
    }

    static LongStream seeds() {
        return RandomCases.seeds(300);
    }

    @ParameterizedTest(name = RandomCases.NAME)
    @MethodSource("seeds")
    void recordSizeIsAtLeastWhatKafkaCounts(long seed) throws Exception {
        RandomCases.check(
                seed,
                random -> {
                    int keyBytes = RandomCases.intBetween(random, 0, 70_000);
                    int valueBytes = RandomCases.intBetween(random, 0, 300_000);
                    int headerCount = RandomCases.intBetween(random, 0, 20);
                    List<Header> headers = new ArrayList<>();
                    for (int i = 0; i < headerCount; i++) {
                        headers.add(
                                new RecordHeader(
                                        "header-" + i,
                                        new byte[RandomCases.intBetween(random, 0, 2000)]));
                    }
                    Header[] h = headers.toArray(Header[]::new);
                    int ours = TopicLimits.recordSize(keyBytes, valueBytes, h);
                    assertThat(ours)
                            .isGreaterThanOrEqualTo(
                                    kafkaSize(new byte[keyBytes], new byte[valueBytes], h))
                            .isLessThanOrEqualTo(
                                    kafkaSize(new byte[keyBytes], new byte[valueBytes], h)
                                            + 40
                                            + 10 * h.length);
                });
    }

    @Test
    void limitsComeFromTheTopicAndTheProducerWithKafkasDefaults() {
        TopicLimits defaults = TopicLimits.KAFKA_DEFAULTS;
        assertThat(defaults.maxRecordBytes()).isBetween(1_040_000, 1_048_576);
        TopicLimits big =
                TopicLimits.of(
                        Map.of("max.message.bytes", "3000000"),
                        Map.of("max.request.size", "2000000"));
        assertThat(big.maxRecordBytes()).isBetween(1_990_000, 2_000_000);
        TopicLimits small =
                TopicLimits.of(
                        Map.of("max.message.bytes", "50000"),
                        Map.of("max.request.size", "2000000"));
        assertThat(small.maxRecordBytes()).isBetween(49_000, 50_000);
        assertThat(TopicLimits.of(Map.of(), Map.of("buffer.memory", "10000")).maxRecordBytes())
                .isLessThanOrEqualTo(10_000);
        assertThatThrownBy(() -> TopicLimits.of(Map.of("max.message.bytes", "lots"), Map.of()))
                .hasMessageContaining("max.message.bytes");
    }

    @Test
    void timestampsTheTopicWouldRefuseGiveWayToTheTimeOfWriting() {
        long now = System.currentTimeMillis();
        TopicLimits defaults =
                TopicLimits.KAFKA_DEFAULTS; // CreateTime, at most 1 hour ahead, kept 7 days
        assertThat(defaults.timestamp(-1)).isNull();
        assertThat(defaults.timestamp(Long.MIN_VALUE)).isNull();
        assertThat(defaults.timestamp(0)).as("deleted at the next retention check").isNull();
        assertThat(defaults.timestamp(now - 8 * 24 * HOUR)).isNull();
        assertThat(defaults.timestamp(now - 6 * 24 * HOUR)).isEqualTo(now - 6 * 24 * HOUR);
        assertThat(defaults.timestamp(now)).isEqualTo(now);
        assertThat(defaults.timestamp(now + HOUR / 2)).isEqualTo(now + HOUR / 2);
        assertThat(defaults.timestamp(now + 2 * HOUR)).isNull();
        assertThat(defaults.timestamp(Long.MAX_VALUE)).isNull();
        assertThat(defaults.timestamp(now + HOUR / 2))
                .as("after a refusal, the cache is right")
                .isEqualTo(now + HOUR / 2);

        TopicLimits keptForEver = TopicLimits.of(Map.of("retention.ms", "-1"), Map.of());
        assertThat(keptForEver.timestamp(0)).isZero();
        assertThat(keptForEver.timestamp(now - 100 * 24 * HOUR)).isEqualTo(now - 100 * 24 * HOUR);

        TopicLimits recentOnly =
                TopicLimits.of(
                        Map.of(
                                "message.timestamp.before.max.ms",
                                String.valueOf(24 * HOUR),
                                "message.timestamp.after.max.ms",
                                String.valueOf(Long.MAX_VALUE),
                                "retention.ms",
                                "-1"),
                        Map.of());
        assertThat(recentOnly.timestamp(now - 2 * 24 * HOUR)).isNull();
        assertThat(recentOnly.timestamp(now - HOUR)).isEqualTo(now - HOUR);
        assertThat(recentOnly.timestamp(now + 1000 * HOUR)).isEqualTo(now + 1000 * HOUR);

        TopicLimits appendTime =
                TopicLimits.of(Map.of("message.timestamp.type", "LogAppendTime"), Map.of());
        assertThat(appendTime.timestamp(now + 1000 * HOUR))
                .isEqualTo(now + 1000 * HOUR); // the broker replaces it
        assertThat(appendTime.timestamp(-5)).isNull(); // the producer refuses it
    }
}
