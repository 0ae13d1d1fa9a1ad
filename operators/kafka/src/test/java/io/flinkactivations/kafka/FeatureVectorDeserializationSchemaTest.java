package io.flinkactivations.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkactivations.core.ActivationKernel;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import io.flinkactivations.format.F32le;
import io.flinkactivations.format.RecordFormat;
import io.flinkactivations.kafka.testutils.HostileRecords;
import io.flinkactivations.stream.BadRecordReason;
import io.flinkactivations.stream.EventTime;
import io.flinkactivations.testutils.RandomCases;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Kafka schemas on hostile input ({@link HostileRecords}) and random bytes: every record is
 * read as a result or a dead letter with its original bytes, never an exception, and whatever comes
 * out fits its topic.
 */
class FeatureVectorDeserializationSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ActivationSpec SOFTMAX =
            ActivationSpec.parse("softmax"); // the longest numbers out
    private static final ActivationKernel KERNEL = Kernels.get().kernel(SOFTMAX);

    static Stream<HostileRecords.Case> cases() {
        return HostileRecords.all().stream();
    }

    private static final class Chain {
        final DeadLetterSerializationSchema deadLetters;
        final FeatureVectorSerializationSchema results;
        final FeatureVectorDeserializationSchema reader;
        final TopicLimits limits;

        Chain(RecordFormat format, TopicLimits limits) {
            this.limits = limits;
            deadLetters = new DeadLetterSerializationSchema("dlq", limits);
            results =
                    new FeatureVectorSerializationSchema(
                            "out", format, SOFTMAX, limits, deadLetters);
            reader =
                    new FeatureVectorDeserializationSchema(format, HostileRecords.MAX_VALUE_BYTES)
                            .withResults(results);
        }

        /** Reads one record and writes what comes of it; checks the promise on the way. */
        ProducerRecord<byte[], byte[]> through(byte[] key, byte[] value, long kafkaTimestamp)
                throws Exception {
            FeatureVector v = reader.read(key, value, kafkaTimestamp, "in", 1, 7L);
            ProducerRecord<byte[], byte[]> out;
            if (v.isBad()) {
                assertThat(v.value())
                        .as("a dead letter carries the original bytes")
                        .isSameAs(value);
                assertThat(v.badMessage()).doesNotContain("could not be read"); // no reader bug met
                out = deadLetters.serialize(v, null, null);
                assertThat(out.topic()).isEqualTo("dlq");
            } else {
                assertThat(EventTime.isValid(v.timestamp())).isTrue();
                assertThat(v.dimension()).isPositive();
                float[] result = new float[v.dimension()];
                KERNEL.apply(v.features(), 0, result, 0, result.length);
                out = results.serialize(v.withFeatures(result), null, null);
                assertThat(out.topic())
                        .as("the reader let through only results that fit")
                        .isEqualTo("out");
                if (out.value().length > 0 && v.value() != null) {
                    JsonNode json = JSON.readTree(out.value());
                    JsonNode features = json.isArray() ? json : json.get("features");
                    assertThat(features.size()).isEqualTo(v.dimension());
                } else {
                    assertThat(F32le.parse(out.value())).hasSize(v.dimension());
                }
            }
            assertThat(DeadLetterSerializationSchemaTest.size(out))
                    .isLessThanOrEqualTo(limits.maxRecordBytes());
            return out;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachHostileRecordIsAResultOrADeadLetterWithItsReason(HostileRecords.Case c)
            throws Exception {
        Chain chain = new Chain(c.format(), TopicLimits.KAFKA_DEFAULTS);
        long ts = c.kafkaTimestamp() == null ? System.currentTimeMillis() : c.kafkaTimestamp();
        FeatureVector v = chain.reader.read(c.key(), c.value(), ts, "in", 0, 1L);
        assertThat(v.isBad() ? v.badReason() : null).as(v.toString()).isEqualTo(c.expected());
        ProducerRecord<byte[], byte[]> out = chain.through(c.key(), c.value(), ts);
        if (!c.isGood() && c.value() != null && c.value().length < 1_000_000) {
            assertThat(out.value()).as("dead letters are byte-identical").isEqualTo(c.value());
        }
    }

    static LongStream seeds3000() {
        return RandomCases.seeds(3000);
    }

    static LongStream seeds300() {
        return RandomCases.seeds(300);
    }

    @ParameterizedTest(name = RandomCases.NAME)
    @MethodSource("seeds3000")
    void randomValuesAreReadWithoutAnException(long seed) throws Exception {
        RandomCases.check(
                seed,
                random -> {
                    byte[] value = HostileRecords.randomValue(random);
                    long ts =
                            switch (RandomCases.intBetween(random, -1, 3)) {
                                case -1 -> -1L;
                                case 0 -> 0L;
                                case 1 -> System.currentTimeMillis();
                                case 2 -> System.currentTimeMillis() + 48 * 3_600_000L;
                                default -> EventTime.MAX + 1;
                            };
                    int limit = RandomCases.intBetween(random, 4096, 2_000_000);
                    for (RecordFormat format : RecordFormat.values()) {
                        new Chain(
                                        format,
                                        new TopicLimits(
                                                limit,
                                                false,
                                                Long.MAX_VALUE,
                                                3_600_000L,
                                                604_800_000L))
                                .through(new byte[] {1}, value, ts);
                    }
                });
    }

    @ParameterizedTest(name = RandomCases.NAME)
    @MethodSource("seeds300")
    void aResultTooLargeForItsTopicIsTurnedAwayWithItsOriginalBytes(long seed) throws Exception {
        RandomCases.check(
                seed,
                random -> {
                    int dimension = RandomCases.intBetween(random, 1, 3000);
                    int keyBytes = RandomCases.intBetween(random, 0, 3000);
                    int limit = RandomCases.intBetween(random, 4096, 40_000);
                    TopicLimits limits =
                            new TopicLimits(
                                    limit, false, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
                    byte[] key = new byte[keyBytes];
                    float[] x = new float[dimension];
                    Arrays.fill(x, 1f);
                    byte[] f32 = F32le.write(x, 0, dimension);
                    // short numbers in, the longest out: "1," becomes "0.00012345678,"
                    byte[] json =
                            ("{\"features\": "
                                            + Arrays.toString(new int[dimension]).replace(" ", "")
                                            + "}")
                                    .getBytes();
                    for (byte[] value : List.of(f32, json)) {
                        RecordFormat format = value == f32 ? RecordFormat.F32LE : RecordFormat.JSON;
                        Chain chain = new Chain(format, limits);
                        ProducerRecord<byte[], byte[]> out = chain.through(key, value, 1L);
                        if (out.topic().equals("dlq")) {
                            assertThat(
                                            DeadLetterSerializationSchemaTest.header(
                                                    out,
                                                    DeadLetterSerializationSchema.HEADER_REASON))
                                    .isEqualTo(BadRecordReason.OVERSIZED.code());
                        }
                    }
                });
    }

    @Test
    void aResultThatDoesNotFitAfterAllGoesToTheDeadLettersNotToKafkasRefusal() {
        // without the reader's check (a library user's pipeline), the results' writer turns it away
        // itself
        TopicLimits limits =
                new TopicLimits(5000, false, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
        FeatureVectorSerializationSchema results =
                new FeatureVectorSerializationSchema(
                        "out",
                        RecordFormat.F32LE,
                        SOFTMAX,
                        limits,
                        new DeadLetterSerializationSchema("dlq", limits));
        ProducerRecord<byte[], byte[]> r =
                results.serialize(FeatureVector.of(new float[2000], 5L), null, null);
        assertThat(r.topic()).isEqualTo("dlq");
        assertThat(
                        DeadLetterSerializationSchemaTest.header(
                                r, DeadLetterSerializationSchema.HEADER_REASON))
                .isEqualTo("oversized");
        assertThat(DeadLetterSerializationSchemaTest.size(r)).isLessThanOrEqualTo(5000);
    }

    @Test
    void theCatalogHasMoreThanFiftyKindsOfHostileInput() {
        assertThat(HostileRecords.json()).hasSizeGreaterThan(50);
        assertThat(HostileRecords.all().stream().map(c -> c.format() + c.name()).distinct())
                .hasSize(HostileRecords.all().size());
    }
}
