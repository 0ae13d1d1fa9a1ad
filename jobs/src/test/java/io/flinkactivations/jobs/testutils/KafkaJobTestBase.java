package io.flinkactivations.jobs.testutils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Base of the job ITCases: one Flink MiniCluster (1 TaskManager, 2 slots) and one real Kafka broker
 * (KRaft, in process) per test class ({@link KafkaBrokerTestBase}), fresh topics per test, and
 * helpers to produce and read.
 */
public abstract class KafkaJobTestBase extends KafkaBrokerTestBase {
    @RegisterExtension
    protected static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** The longest a test waits for expected records. */
    protected static final Duration WAIT = Duration.ofSeconds(60);

    private static final AtomicInteger TOPICS = new AtomicInteger();

    /**
     * Creates fresh {@code <name>-N-in}, {@code -out} and {@code -out-dlq} topics; returns them in
     * that order.
     */
    protected static String[] topics(String name, int partitions) throws Exception {
        String base = name + "-" + TOPICS.incrementAndGet();
        kafka.createTopics(partitions, base + "-in", base + "-out", base + "-out-dlq");
        return new String[] {base + "-in", base + "-out", base + "-out-dlq"};
    }

    /**
     * The job's flags for a test: these brokers, from the earliest offsets, fast checkpoints, plus
     * {@code flags}.
     */
    protected static String[] jobFlags(boolean bounded, String... flags) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--starting-offsets",
                                "earliest",
                                "--checkpoint-interval",
                                "300ms",
                                "--parallelism",
                                "2"));
        if (bounded) {
            args.add("--bounded");
        }
        args.addAll(List.of(flags));
        return args.toArray(String[]::new);
    }

    protected static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
        return new ProducerRecord<>(
                topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }

    protected static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads {@code expected} records (read_committed), then half a second more to catch extras. */
    protected static List<ConsumerRecord<byte[], byte[]>> read(String topic, int expected) {
        return kafka.read(topic, expected, WAIT, Duration.ofMillis(500));
    }

    protected static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
