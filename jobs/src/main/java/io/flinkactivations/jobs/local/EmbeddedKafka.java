package io.flinkactivations.jobs.local;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.flink.annotation.Internal;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker (KRaft, one combined broker and controller) in this JVM, on a random port,
 * for {@code bin/activations demo} and the tests. Built on Kafka's own test kit (an internal API of
 * Kafka 4.2, pinned with the rest of Kafka in the parent pom); never part of the deployable jar.
 */
@Internal
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /**
     * Formats and starts a broker with its logs in a new temporary directory; returns when it
     * accepts clients (about 3 s).
     */
    public static EmbeddedKafka start() throws Exception {
        return start(null);
    }

    /**
     * As {@link #start()}, with the broker's logs in a new directory under {@code parent} (null:
     * the system's temporary directory), deleted on {@link #close}.
     */
    public static EmbeddedKafka start(Path parent) throws Exception {
        return start(parent, Map.of());
    }

    /**
     * As {@link #start(Path)}, with broker settings over the defaults: e.g. more listeners,
     * security and an authorizer (the clients' listener, {@code EXTERNAL}, stays PLAINTEXT).
     */
    public static EmbeddedKafka start(Path parent, Map<String, String> brokerSettings)
            throws Exception {
        TestKitNodes.Builder builder =
                new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1);
        if (parent != null) {
            builder.setBaseDirectory(Files.createTempDirectory(parent, "kafka-"));
        }
        TestKitNodes nodes = builder.build();
        KafkaClusterTestKit.Builder cluster =
                new KafkaClusterTestKit.Builder(nodes)
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("offsets.topic.num.partitions", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("transaction.state.log.num.partitions", "1")
                        .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                        .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        // a deleted topic's files go at once, not a minute later (the job benchmark
                        // deletes each run's gigabytes)
                        .setConfigProp("file.delete.delay.ms", "0");
        brokerSettings.forEach(cluster::setConfigProp);
        return started(cluster.build());
    }

    private static EmbeddedKafka started(KafkaClusterTestKit cluster) throws Exception {
        try {
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new EmbeddedKafka(cluster);
    }

    /** Kafka's storage formatter prints to System.out; keep a command's output clean. */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        java.io.PrintStream stdout = System.out;
        synchronized (System.class) {
            System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            try {
                cluster.format();
            } finally {
                System.setOut(stdout);
            }
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * The address of the broker's listener {@code name} (one of {@code listeners} given at start).
     */
    public String listenerAddress(String name) {
        return "localhost:"
                + cluster.brokers()
                        .values()
                        .iterator()
                        .next()
                        .boundPort(org.apache.kafka.common.network.ListenerName.normalised(name));
    }

    /** Creates topics with {@code partitions} partitions each and waits until they exist. */
    public void createTopics(int partitions, String... names) throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            List<NewTopic> topics = new ArrayList<>();
            for (String name : names) {
                topics.add(new NewTopic(name, partitions, (short) 1));
            }
            admin.createTopics(topics).all().get();
        }
    }

    /** Creates one topic with topic configs (e.g. message.timestamp.type=LogAppendTime). */
    public void createTopic(String name, int partitions, java.util.Map<String, String> configs)
            throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all()
                    .get();
        }
    }

    /**
     * Deletes topics and waits until the broker has taken them out (their files go right after).
     */
    public void deleteTopics(String... names) throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            admin.deleteTopics(List.of(names)).all().get();
        }
    }

    public Properties clientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers());
        return p;
    }

    /** A producer of raw bytes, acks=all, idempotent. */
    public KafkaProducer<byte[], byte[]> producer() {
        return producer(Map.of());
    }

    /**
     * A producer of raw bytes, acks=all, idempotent, with {@code extra} client properties on top.
     */
    public KafkaProducer<byte[], byte[]> producer(Map<String, String> extra) {
        Properties p = clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putAll(extra);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends the records and waits until every one is acknowledged. */
    public void send(Collection<ProducerRecord<byte[], byte[]>> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            for (java.util.concurrent.Future<?> f : acks) {
                f.get();
            }
        }
    }

    /** A read_committed consumer of raw bytes in a fresh group, from the earliest offsets. */
    public KafkaConsumer<byte[], byte[]> consumer() {
        return consumer(Map.of());
    }

    /**
     * A read_committed consumer as {@link #consumer()}, with {@code extra} client properties on
     * top.
     */
    public KafkaConsumer<byte[], byte[]> consumer(Map<String, String> extra) {
        return consumer(extra, new ByteArrayDeserializer());
    }

    /**
     * A read_committed consumer as {@link #consumer(Map)} whose values are read by {@code values}.
     */
    public <V> KafkaConsumer<byte[], V> consumer(
            Map<String, String> extra, Deserializer<V> values) {
        Properties p = clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putAll(extra);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), values);
    }

    /**
     * Reads {@code topic} with read_committed until {@code expected} records arrived or {@code
     * timeout} passed, then for {@code quiet} more to catch extras (duplicates); returns what it
     * read.
     */
    public List<ConsumerRecord<byte[], byte[]>> read(
            String topic, int expected, Duration timeout, Duration quiet) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        read(topic, expected, timeout, quiet, new ByteArrayDeserializer(), out::add);
        return out;
    }

    /**
     * Reads as {@link #read(String, int, Duration, Duration)} does, handing each record to {@code
     * each} instead of keeping it, and without its value ({@link #SKIPPED_VALUES}): a benchmark
     * reads millions for their metadata. Returns how many it read.
     */
    public int read(
            String topic,
            int expected,
            Duration timeout,
            Duration quiet,
            Consumer<ConsumerRecord<byte[], Void>> each) {
        return read(topic, expected, timeout, quiet, SKIPPED_VALUES, each);
    }

    /**
     * Reads no value: a consumer's records carry keys and metadata only, their values' bytes never
     * copied (Kafka's byte-array deserializer copies each one), for readers that share the cores
     * with what they measure.
     */
    public static final Deserializer<Void> SKIPPED_VALUES =
            new Deserializer<>() {
                @Override
                public Void deserialize(String topic, byte[] data) {
                    return null;
                }

                @Override
                public Void deserialize(String topic, Headers headers, ByteBuffer data) {
                    return null; // the default would copy the buffer into an array first
                }
            };

    private <V> int read(
            String topic,
            int expected,
            Duration timeout,
            Duration quiet,
            Deserializer<V> values,
            Consumer<ConsumerRecord<byte[], V>> each) {
        int n = 0;
        try (KafkaConsumer<byte[], V> consumer = consumer(Map.of(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (n < expected && System.nanoTime() < deadline) {
                n += handEach(consumer.poll(Duration.ofMillis(200)), each);
            }
            long quietEnd = System.nanoTime() + quiet.toNanos();
            while (System.nanoTime() < quietEnd) {
                n += handEach(consumer.poll(Duration.ofMillis(100)), each);
            }
        }
        return n;
    }

    private static <V> int handEach(
            ConsumerRecords<byte[], V> records, Consumer<ConsumerRecord<byte[], V>> each) {
        records.forEach(each);
        return records.count();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
