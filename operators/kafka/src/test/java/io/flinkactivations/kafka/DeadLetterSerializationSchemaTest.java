package io.flinkactivations.kafka;

import static io.flinkactivations.kafka.DeadLetterSerializationSchema.HEADER_EVENT_TIME;
import static io.flinkactivations.kafka.DeadLetterSerializationSchema.HEADER_ORIGINAL_KEY_BYTES;
import static io.flinkactivations.kafka.DeadLetterSerializationSchema.HEADER_ORIGINAL_VALUE_BYTES;
import static io.flinkactivations.kafka.DeadLetterSerializationSchema.HEADER_REASON;
import static io.flinkactivations.kafka.DeadLetterSerializationSchema.HEADER_TRUNCATED;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.stream.BadRecordReason;
import io.flinkactivations.testutils.RandomCases;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DeadLetterSerializationSchemaTest {

    static String header(ProducerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static int size(ProducerRecord<byte[], byte[]> r) {
        return TopicLimitsTest.kafkaSize(r.key(), r.value(), r.headers().toArray());
    }

    private static FeatureVector bad(byte[] key, byte[] value, long ts) {
        return FeatureVectors.bad(
                key, value, ts, "in", 3, 42L, BadRecordReason.OVERSIZED, "too big");
    }

    @Test
    void aDeadLetterThatFitsIsTheOriginalBytesWithTheReason() {
        byte[] value = "{\"features\": oops}".getBytes(StandardCharsets.UTF_8);
        long ts = System.currentTimeMillis() - 3_600_000L;
        ProducerRecord<byte[], byte[]> r =
                new DeadLetterSerializationSchema("dlq")
                        .serialize(
                                bad("k".getBytes(StandardCharsets.UTF_8), value, ts), null, null);
        assertThat(r.value()).isSameAs(value);
        assertThat(r.timestamp()).isEqualTo(ts);
        assertThat(header(r, HEADER_REASON)).isEqualTo("oversized");
        assertThat(header(r, HEADER_TRUNCATED)).isNull();
        assertThat(header(r, HEADER_EVENT_TIME)).isNull();
    }

    @Test
    void aValueTooLargeForTheTopicIsCutAndTheHeadersSaySo() {
        byte[] value = new byte[1_200_472];
        Arrays.fill(value, (byte) 'x');
        ProducerRecord<byte[], byte[]> r =
                new DeadLetterSerializationSchema("dlq")
                        .serialize(
                                bad("key".getBytes(StandardCharsets.UTF_8), value, 5L), null, null);
        assertThat(size(r))
                .isLessThanOrEqualTo(1_048_576); // the producer's default max.request.size
        assertThat(r.value().length).isGreaterThan(1_000_000);
        assertThat(r.value()).isEqualTo(Arrays.copyOf(value, r.value().length));
        assertThat(r.key()).isEqualTo("key".getBytes(StandardCharsets.UTF_8));
        assertThat(header(r, HEADER_TRUNCATED)).isEqualTo("value");
        assertThat(header(r, HEADER_ORIGINAL_VALUE_BYTES)).isEqualTo("1200472");
        assertThat(header(r, HEADER_ORIGINAL_KEY_BYTES)).isNull();
        assertThat(header(r, DeadLetterSerializationSchema.HEADER_OFFSET)).isEqualTo("42");
    }

    static LongStream seeds() {
        return RandomCases.seeds(200);
    }

    @ParameterizedTest(name = RandomCases.NAME)
    @MethodSource("seeds")
    void everyDeadLetterFitsItsTopic(long seed) throws Exception {
        RandomCases.check(
                seed,
                random -> {
                    int keyBytes = RandomCases.intBetween(random, 0, 20_000);
                    int valueBytes = RandomCases.intBetween(random, 0, 40_000);
                    int limit = RandomCases.intBetween(random, 4096, 30_000);
                    byte[] key = new byte[keyBytes];
                    byte[] value = new byte[valueBytes];
                    for (int i = 0; i < valueBytes; i++) {
                        value[i] = (byte) i;
                    }
                    TopicLimits limits =
                            new TopicLimits(
                                    limit, false, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
                    ProducerRecord<byte[], byte[]> r =
                            new DeadLetterSerializationSchema("dlq", limits)
                                    .serialize(bad(key, value, 1L), null, null);
                    assertThat(size(r)).isLessThanOrEqualTo(limit);
                    assertThat(r.value()).isEqualTo(Arrays.copyOf(value, r.value().length));
                    assertThat(r.key()).isEqualTo(Arrays.copyOf(key, r.key().length));
                    boolean cut = r.value().length < valueBytes || r.key().length < keyBytes;
                    assertThat(header(r, HEADER_TRUNCATED))
                            .isEqualTo(
                                    !cut
                                            ? null
                                            : r.key().length < keyBytes ? "key,value" : "value");
                    if (cut) {
                        assertThat(header(r, HEADER_ORIGINAL_VALUE_BYTES))
                                .isEqualTo(String.valueOf(valueBytes));
                    }
                });
    }

    @Test
    void aTimestampTheTopicWouldRefuseIsReplacedAndKeptInAHeader() {
        DeadLetterSerializationSchema dlq =
                new DeadLetterSerializationSchema("dlq", TopicLimits.of(Map.of(), Map.of()));
        ProducerRecord<byte[], byte[]> negative =
                dlq.serialize(bad(null, new byte[] {1}, -1L), null, null);
        assertThat(negative.timestamp()).isNull();
        assertThat(header(negative, HEADER_EVENT_TIME)).isEqualTo("-1");
        long farAhead = System.currentTimeMillis() + 10 * 3_600_000L;
        ProducerRecord<byte[], byte[]> ahead =
                dlq.serialize(bad(null, new byte[] {1}, farAhead), null, null);
        assertThat(ahead.timestamp()).isNull();
        assertThat(header(ahead, HEADER_EVENT_TIME)).isEqualTo(String.valueOf(farAhead));
        // older than the topic keeps records: Kafka would delete it at its next retention check
        long old = System.currentTimeMillis() - 30 * 24 * 3_600_000L;
        ProducerRecord<byte[], byte[]> tooOld =
                dlq.serialize(bad(null, new byte[] {1}, old), null, null);
        assertThat(tooOld.timestamp()).isNull();
        assertThat(header(tooOld, HEADER_EVENT_TIME)).isEqualTo(String.valueOf(old));
    }
}
