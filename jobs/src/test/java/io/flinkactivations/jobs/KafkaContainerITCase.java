package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkactivations.testutils.GoldenCase;
import io.flinkactivations.testutils.GoldenRule;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import picocli.CommandLine;

/**
 * The job end to end against Kafka in a container ({@code apache/kafka:4.2.0}), where a Docker
 * engine exists; skipped elsewhere, with one line that says so. {@link ActivationJobITCase} covers
 * the same behaviour with an in-process broker on every machine, CI included.
 */
@Testcontainers
@EnabledIf("dockerIsAvailable")
class KafkaContainerITCase {
    static boolean dockerIsAvailable() {
        boolean available = DockerClientFactory.instance().isDockerAvailable();
        if (!available) {
            System.out.println(
                    "KafkaContainerITCase skipped: no Docker engine here (ActivationJobITCase runs the same"
                            + " job on an in-process broker)");
        }
        return available;
    }

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @Container static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.2.0");

    @Test
    void goldenCasesThroughAKafkaContainer() throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", KAFKA.getBootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(
                            List.of(
                                    new NewTopic("in", 2, (short) 1),
                                    new NewTopic("out", 2, (short) 1),
                                    new NewTopic("out-dlq", 1, (short) 1)))
                    .all()
                    .get();
        }
        List<GoldenCase> cases =
                GoldenCase.all().stream()
                        .filter(c -> c.spec().equals("sigmoid") && !c.isWindow())
                        .toList();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (GoldenCase c : cases) {
                producer.send(
                                new ProducerRecord<>(
                                        "in",
                                        c.caseName().getBytes(StandardCharsets.UTF_8),
                                        ("{\"id\":\""
                                                        + c.caseName()
                                                        + "\",\"features\":"
                                                        + ActivationJobITCase.jsonArray(c.input())
                                                        + "}")
                                                .getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }
        JobOptions options = new JobOptions();
        new CommandLine(options)
                .parseArgs(
                        "--bootstrap-servers",
                        KAFKA.getBootstrapServers(),
                        "--input-topic",
                        "in",
                        "--output-topic",
                        "out",
                        "--activation",
                        "sigmoid",
                        "--bounded",
                        "--starting-offsets",
                        "earliest",
                        "--checkpoint-interval",
                        "500ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ActivationPipeline.build(env, options.validate());
        env.execute();

        p.put("group.id", UUID.randomUUID().toString());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("out"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < cases.size() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        assertThat(out).hasSize(cases.size());
        for (ConsumerRecord<byte[], byte[]> r : out) {
            JsonNode j = ActivationJobITCase.JSON.readTree(r.value());
            GoldenCase c =
                    cases.stream()
                            .filter(g -> g.caseName().equals(j.get("id").asText()))
                            .findFirst()
                            .orElseThrow();
            assertThat(
                            GoldenRule.check(
                                    c + " via container",
                                    GoldenRule.Scale.ELEMENTWISE,
                                    c.input(),
                                    c.rows(),
                                    c.cols(),
                                    c.expected(),
                                    c.expectedF64(),
                                    ActivationJobITCase.floats(j.get("features"))))
                    .isNull();
        }
    }
}
