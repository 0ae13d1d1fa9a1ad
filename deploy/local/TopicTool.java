import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the scripts of deploy/local and examples/ ask of a topic, without waiting for a consumer to
 * go idle (run from source: java -cp 'work/lib/kafka/*' TopicTool.java ...):
 *
 * <pre>
 *   read BOOTSTRAP TOPIC [SETTLE-SECONDS]  every committed record (read_committed) up to the
 *       topic's end, as KEY|VALUE lines (null for a missing key or value), then SETTLE-SECONDS
 *       more in which nothing new may arrive (a late write shows up here rather than going unseen)
 *   lag BOOTSTRAP GROUP TOPIC               the records of TOPIC the consumer group has not
 *       committed yet (all of them where it committed nothing)
 * </pre>
 *
 * Either fails with one line on stderr and exit code 1 when it cannot finish within 120 s.
 */
public final class TopicTool {
    private static final Duration LIMIT = Duration.ofSeconds(120);

    public static void main(String[] args) {
        try {
            switch (args.length > 0 ? args[0] : "") {
                case "read" -> read(args[1], args[2], args.length > 3 ? Integer.parseInt(args[3]) : 0);
                case "lag" -> System.out.println(lag(args[1], args[2], args[3]));
                default -> throw new IllegalArgumentException(
                        "usage: read BOOTSTRAP TOPIC [SETTLE-SECONDS] | lag BOOTSTRAP GROUP TOPIC");
            }
        } catch (RuntimeException e) {
            System.err.println("TopicTool: " + e.getMessage());
            System.exit(1);
        }
    }

    private static Properties client(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("default.api.timeout.ms", "30000");
        return p;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<TopicPartition> parts =
                consumer.partitionsFor(topic).stream()
                        .map(i -> new TopicPartition(topic, i.partition()))
                        .collect(Collectors.toList());
        if (parts.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " has no partitions");
        }
        return parts;
    }

    private static void read(String bootstrap, String topic, int settleSeconds) {
        Properties p = client(bootstrap);
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        long deadline = System.nanoTime() + LIMIT.toNanos();
        StringBuilder out = new StringBuilder();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = partitions(consumer, topic);
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long quietSince = System.nanoTime();
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.append(text(r.key())).append('|').append(text(r.value())).append('\n');
                    quietSince = System.nanoTime();
                }
                // read_committed: the end is the last stable offset, past which nothing is readable
                Map<TopicPartition, Long> end = consumer.endOffsets(parts);
                boolean atEnd = parts.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
                if (atEnd && System.nanoTime() - quietSince >= settleSeconds * 1_000_000_000L) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read topic " + topic + " to its end within " + LIMIT.toSeconds() + " s");
                }
            }
        }
        System.out.print(out);
    }

    private static String text(byte[] b) {
        return b == null ? "null" : new String(b, StandardCharsets.UTF_8);
    }

    private static long lag(String bootstrap, String group, String topic) {
        Properties p = client(bootstrap);
        p.put("group.id", group); // to read its committed offsets; it joins no group
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = partitions(consumer, topic);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(parts));
            long lag = 0;
            for (TopicPartition tp : parts) {
                OffsetAndMetadata c = committed.get(tp);
                lag += end.get(tp) - (c == null ? 0 : c.offset());
            }
            return lag;
        }
    }
}
