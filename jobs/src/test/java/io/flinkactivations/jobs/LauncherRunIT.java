package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkactivations.jobs.testutils.KafkaJobTestBase;
import io.flinkactivations.testutils.ScriptRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The packaged job as users start it: {@code bin/activations run} (embedded local Flink) against a
 * real broker, and the deployable jar's contents for {@code flink run}.
 */
class LauncherRunIT extends KafkaJobTestBase {
    private static final Path ROOT = ScriptRun.ROOT;

    @Test
    void binActivationsRunProcessesATopicToTheEnd() throws Exception {
        String[] t = topics("launcher", 2);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            records.add(
                    record(
                            t[0],
                            "k" + (i % 3),
                            utf8("{\"id\": " + i + ", \"features\": [1, -2, 3, -5]}")));
        }
        records.add(record(t[0], "bad", utf8("not json")));
        kafka.send(records);

        ScriptRun r =
                ScriptRun.run(
                        ROOT.resolve("bin/activations"),
                        "",
                        "run",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--input-topic",
                        t[0],
                        "--output-topic",
                        t[1],
                        "--activation",
                        "Tanh",
                        "--bounded",
                        "--starting-offsets",
                        "earliest",
                        "--checkpoint-interval",
                        "1s",
                        "--kafka-property",
                        "client.dns.lookup=use_all_dns_ips");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.err()).contains("Activation kernels: vector");

        List<ConsumerRecord<byte[], byte[]>> out = read(t[1], 50);
        assertThat(out).hasSize(50);
        for (ConsumerRecord<byte[], byte[]> o : out) {
            JsonNode j = ActivationJobITCase.JSON.readTree(o.value());
            assertThat(j.get("activation").asText()).isEqualTo("tanh");
            assertThat(j.get("features").get(0).floatValue()).isEqualTo(0.7615942f);
        }
        assertThat(read(t[2], 1)).hasSize(1);
    }

    @Test
    void aBadFlagStopsTheJobBeforeItStarts() throws Exception {
        ScriptRun r =
                ScriptRun.run(
                        ROOT.resolve("bin/activations"),
                        "",
                        "run",
                        "--bootstrap-servers",
                        "localhost:1",
                        "--input-topic",
                        "a",
                        "--output-topic",
                        "b",
                        "--activation",
                        "softmax",
                        "--window",
                        "tumbling(10)");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--window: Bad size '10': write a whole number with a unit");
    }

    @Test
    void theDeployableJarHoldsTheJobAndTheConnectorButNotFlink() throws Exception {
        Path jar;
        try (Stream<Path> files = Files.list(ROOT.resolve("jobs/target"))) {
            jar =
                    files.filter(p -> p.getFileName().toString().endsWith("-flink.jar"))
                            .findFirst()
                            .orElseThrow();
        }
        try (JarFile j = new JarFile(jar.toFile())) {
            assertThat(j.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(ActivationJob.class.getName());
            assertThat(j.getEntry("io/flinkactivations/core/PanamaKernels.class")).isNotNull();
            assertThat(j.getEntry("org/apache/flink/connector/kafka/source/KafkaSource.class"))
                    .isNotNull();
            assertThat(j.getEntry("org/apache/kafka/clients/producer/KafkaProducer.class"))
                    .isNotNull();
            assertThat(
                            j.getEntry(
                                    "org/apache/flink/streaming/api/environment/StreamExecutionEnvironment.class"))
                    .isNull();
            assertThat(j.stream().map(e -> e.getName()))
                    .noneMatch(
                            n ->
                                    n.startsWith("org/apache/flink/runtime/")
                                            || n.startsWith("kafka/server/")
                                            || n.startsWith("org/apache/logging/log4j/core/"))
                    // the job and its command line, not the benchmarks' tools
                    .noneMatch(
                            n ->
                                    n.startsWith("io/flinkactivations/benchmarks/")
                                            || n.startsWith("org/openjdk/jmh/"));
            assertThat(j.getManifest().getMainAttributes().getValue("Implementation-Version"))
                    .matches("\\d+\\.\\d+\\.\\d+.*");
        }
    }

    @Test
    void versionPrintsTheBuildsVersion() throws Exception {
        ScriptRun r = ScriptRun.run(ROOT.resolve("bin/activations"), "", "--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().strip()).matches("flink-activations \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }
}
