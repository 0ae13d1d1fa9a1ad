package io.flinkactivations.jobs;

import static io.flinkactivations.kafka.DeadLetterSerializationSchema.HEADER_EVENT_TIME;
import static io.flinkactivations.kafka.DeadLetterSerializationSchema.HEADER_OFFSET;
import static io.flinkactivations.kafka.DeadLetterSerializationSchema.HEADER_ORIGINAL_VALUE_BYTES;
import static io.flinkactivations.kafka.DeadLetterSerializationSchema.HEADER_PARTITION;
import static io.flinkactivations.kafka.DeadLetterSerializationSchema.HEADER_REASON;
import static io.flinkactivations.kafka.DeadLetterSerializationSchema.HEADER_TRUNCATED;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.format.RecordFormat;
import io.flinkactivations.jobs.testutils.KafkaJobTestBase;
import io.flinkactivations.kafka.FeatureVector;
import io.flinkactivations.kafka.FeatureVectorDeserializationSchema;
import io.flinkactivations.kafka.testutils.HostileRecords;
import io.flinkactivations.stream.BadRecordReason;
import io.flinkactivations.testutils.RandomCases;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The job's promise on hostile input, through a real broker: every record of the catalog ({@link
 * HostileRecords}: more than 50 kinds of malformed or extreme values, keys, headers and timestamps)
 * and hundreds of random ones comes out exactly once, as a result or as a dead letter with its
 * reason and its original bytes (cut to fit, and saying so, where they are larger than the
 * dead-letter topic takes), and the bounded job ends. The input topic takes values up to 3 MB and
 * timestamps of any time, as teams with large vectors and replayed data configure theirs; the
 * output topics keep Kafka's defaults (1 MB, at most an hour ahead).
 */
class HostileInputITCase extends KafkaJobTestBase {
    private static final int RANDOM = 400;
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final Map<String, String> LENIENT_INPUT =
            Map.of(
                    "max.message.bytes",
                    "3000000",
                    "message.timestamp.after.max.ms",
                    String.valueOf(Long.MAX_VALUE));

    /**
     * A record sent, where it landed, and what the job must make of it; {@code stamped}: a result
     * whose event time the output topic would refuse or delete at once, so it is written with the
     * time of writing and its event time in a header.
     */
    record Sent(
            byte[] key,
            byte[] value,
            BadRecordReason expected,
            boolean stamped,
            int partition,
            long offset) {}

    private static final long HOUR = 3_600_000L;

    /**
     * Whether an output topic with Kafka's defaults (at most an hour ahead, kept 7 days) refuses or
     * drops {@code t}.
     */
    private static boolean outsideDefaultTopic(long t, long now) {
        return t > now + HOUR || t < now - 7 * 24 * HOUR;
    }

    @Test
    void hostileJsonThroughTheMapJob() throws Exception {
        run(RecordFormat.JSON, true, "--activation", "softmax");
    }

    @Test
    void hostileF32leThroughTheMapJob() throws Exception {
        run(RecordFormat.F32LE, true, "--activation", "gelu", "--delivery", "at-least-once");
    }

    @Test
    void hostileJsonThroughTheWindowedJobs() throws Exception {
        // which good records are late depends on the order they meet the watermark: counts only
        run(RecordFormat.JSON, false, "--activation", "log_softmax", "--window", "count(3)");
        run(
                RecordFormat.JSON,
                false,
                "--activation",
                "softmax",
                "--window",
                "tumbling(1h)",
                "--max-out-of-orderness",
                "1d");
    }

    private void run(RecordFormat format, boolean reasonsKnown, String... flags) throws Exception {
        RandomCases.check(RandomCases.seed(), random -> run(random, format, reasonsKnown, flags));
    }

    private void run(
            SplittableRandom random, RecordFormat format, boolean reasonsKnown, String... flags)
            throws Exception {
        String base = "hostile-" + RUNS.incrementAndGet();
        String in = base + "-in";
        String out = base + "-out";
        kafka.createTopic(in, 2, LENIENT_INPUT);
        kafka.createTopics(1, out, out + "-dlq");

        List<HostileRecords.Case> cases =
                format == RecordFormat.JSON ? HostileRecords.json() : HostileRecords.f32le();
        FeatureVectorDeserializationSchema oracle =
                new FeatureVectorDeserializationSchema(format, HostileRecords.MAX_VALUE_BYTES);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<BadRecordReason> expected = new ArrayList<>();
        List<Boolean> stamped = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (HostileRecords.Case c : cases) {
            RecordHeaders headers = new RecordHeaders();
            c.headers().forEach(headers::add);
            records.add(
                    new ProducerRecord<>(
                            in, null, c.kafkaTimestamp(), c.key(), c.value(), headers));
            expected.add(c.expected());
            stamped.add(c.isGood() && outsideDefaultTopic(eventTime(oracle, c, now), now));
        }
        for (int i = 0; i < RANDOM; i++) {
            byte[] value = HostileRecords.randomValue(random);
            byte[] key = ("random-" + records.size()).getBytes(StandardCharsets.UTF_8);
            records.add(new ProducerRecord<>(in, key, value));
            FeatureVector v = oracle.read(key, value, now, in, 0, 0);
            expected.add(v.isBad() ? v.badReason() : null);
            stamped.add(!v.isBad() && outsideDefaultTopic(v.timestamp(), now));
        }
        List<Sent> sent = send(records, expected, stamped);

        JobOptions options = new JobOptions();
        List<String> args =
                new ArrayList<>(
                        List.of(
                                jobFlags(
                                        true,
                                        "--input-topic",
                                        in,
                                        "--output-topic",
                                        out,
                                        "--format",
                                        format.toString(),
                                        "--max-record-bytes",
                                        String.valueOf(HostileRecords.MAX_VALUE_BYTES))));
        args.addAll(List.of(flags));
        new CommandLine(options).parseArgs(args.toArray(String[]::new));
        JobConfig config = options.validate(Map.of());
        ActivationPipeline.SinkLimits limits = KafkaChecks.run(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ActivationPipeline.build(env, config, limits);
        env.execute("hostile input " + base);

        // the bounded job has ended, so everything it wrote is committed; in windows some good
        // records are
        // late, so how many results there are is known only after reading them
        int good = (int) sent.stream().filter(s -> s.expected() == null).count();
        List<ConsumerRecord<byte[], byte[]>> results =
                reasonsKnown ? read(out, good) : kafka.read(out, 1, WAIT, Duration.ofSeconds(3));
        List<ConsumerRecord<byte[], byte[]>> dead =
                read(out + "-dlq", sent.size() - results.size());
        assertThat(results.size() + dead.size())
                .as("every record in exactly one place")
                .isEqualTo(sent.size());

        Map<String, Sent> byPosition = new HashMap<>();
        sent.forEach(s -> byPosition.put(s.partition() + "@" + s.offset(), s));
        for (ConsumerRecord<byte[], byte[]> d : dead) {
            assertThat(TopicSize.of(d))
                    .as("a dead letter fits its topic")
                    .isLessThanOrEqualTo(1_048_576);
            Sent s =
                    byPosition.remove(header(d, HEADER_PARTITION) + "@" + header(d, HEADER_OFFSET));
            assertThat(s).as("each dead letter names a record sent, once").isNotNull();
            if (reasonsKnown) {
                assertThat(header(d, HEADER_REASON))
                        .isEqualTo(s.expected() == null ? null : s.expected().code());
            }
            assertThat(d.key()).isEqualTo(s.key());
            if (header(d, HEADER_TRUNCATED) == null) {
                assertThat(d.value()).as("dead letters are byte-identical").isEqualTo(s.value());
            } else {
                assertThat(Integer.parseInt(header(d, HEADER_ORIGINAL_VALUE_BYTES)))
                        .isEqualTo(s.value().length);
                assertThat(d.value()).isEqualTo(Arrays.copyOf(s.value(), d.value().length));
            }
        }
        if (reasonsKnown) {
            assertThat(byPosition.values())
                    .as("the records left are the results")
                    .allMatch(s -> s.expected() == null);
            List<String> resultKeys =
                    new ArrayList<>(results.stream().map(r -> hex(r.key())).sorted().toList());
            assertThat(resultKeys)
                    .isEqualTo(
                            byPosition.values().stream().map(s -> hex(s.key())).sorted().toList());
            long moved = byPosition.values().stream().filter(Sent::stamped).count();
            assertThat(results.stream().filter(r -> header(r, HEADER_EVENT_TIME) != null).count())
                    .as(
                            "results whose event time the output topic refuses or drops carry it in a header")
                    .isEqualTo(moved);
            assertThat(moved).isPositive();
        }
    }

    private static long eventTime(
            FeatureVectorDeserializationSchema oracle, HostileRecords.Case c, long now) {
        long kafkaTs = c.kafkaTimestamp() == null ? now : c.kafkaTimestamp();
        return oracle.read(c.key(), c.value(), kafkaTs, "in", 0, 0).timestamp();
    }

    private static List<Sent> send(
            List<ProducerRecord<byte[], byte[]>> records,
            List<BadRecordReason> expected,
            List<Boolean> stamped)
            throws Exception {
        List<Sent> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                kafka.producer(Map.of("max.request.size", "3000000"))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            for (int i = 0; i < acks.size(); i++) {
                RecordMetadata m = acks.get(i).get();
                sent.add(
                        new Sent(
                                records.get(i).key(),
                                records.get(i).value(),
                                expected.get(i),
                                stamped.get(i),
                                m.partition(),
                                m.offset()));
            }
        }
        return sent;
    }

    private static String hex(byte[] b) {
        return b == null ? "null" : HexFormat.of().formatHex(b);
    }

    /** A record's size as Kafka's producer counts it against max.request.size. */
    static final class TopicSize {
        static int of(ConsumerRecord<byte[], byte[]> r) {
            return org.apache.kafka.common.record.AbstractRecords.estimateSizeInBytesUpperBound(
                    org.apache.kafka.common.record.RecordBatch.CURRENT_MAGIC_VALUE,
                    org.apache.kafka.common.record.CompressionType.NONE,
                    r.key(),
                    r.value(),
                    r.headers().toArray());
        }
    }
}
