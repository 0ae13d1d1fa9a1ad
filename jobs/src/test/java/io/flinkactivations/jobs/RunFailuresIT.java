package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.jobs.testutils.KafkaBrokerTestBase;
import io.flinkactivations.testutils.ScriptRun;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code bin/activations run} when Kafka is not as the job needs it, as a user meets it: each
 * problem is one line on the console that says what to fix, within a bounded time, and a non-zero
 * exit; no stack traces, no silent wait. The last test stops the class's broker.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunFailuresIT extends KafkaBrokerTestBase {

    private static List<String> runLines(ScriptRun r) {
        return r.err().lines().filter(l -> l.startsWith("run: ")).toList();
    }

    @Test
    @Order(1)
    void refusedConnectionsStopTheRunAtOnce() throws Exception {
        long t0 = System.nanoTime();
        ScriptRun r =
                ScriptRun.run(
                        ScriptRun.ROOT.resolve("bin/activations"),
                        "",
                        Duration.ofSeconds(60),
                        "run",
                        "--bootstrap-servers",
                        "localhost:9,127.0.0.1:9",
                        "--input-topic",
                        "a",
                        "--output-topic",
                        "b",
                        "--activation",
                        "relu");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        // about 1 s here, the JVM's start included; the default --check-timeout is 30 s
        assertThat(seconds).as("within 5 s, the JVM's start included").isLessThan(5);
        assertThat(runLines(r))
                .singleElement()
                .asString()
                .isEqualTo(
                        "run: nothing listens at localhost:9,127.0.0.1:9 (connection refused):"
                                + " check --bootstrap-servers and that the brokers are up");
        assertThat(r.console()).doesNotContain(ScriptRun.STACK_TRACE);
    }

    @Test
    @Order(1)
    void aListenerThatDoesNotAnswerStopsTheRunAtTheCheckTimeout() throws Exception {
        long t0 = System.nanoTime();
        ScriptRun r;
        // accepts connections and never speaks Kafka
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) {
            r =
                    ScriptRun.run(
                            ScriptRun.ROOT.resolve("bin/activations"),
                            "",
                            Duration.ofSeconds(60),
                            "run",
                            "--bootstrap-servers",
                            "localhost:" + silent.getLocalPort(),
                            "--input-topic",
                            "a",
                            "--output-topic",
                            "b",
                            "--activation",
                            "relu",
                            "--check-timeout",
                            "5s");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(seconds).as("bounded by --check-timeout and the JVM's start").isLessThan(30);
        assertThat(runLines(r))
                .singleElement()
                .asString()
                .startsWith("run: no answer from Kafka at localhost:")
                .contains("check --bootstrap-servers");
        assertThat(r.console()).doesNotContain(ScriptRun.STACK_TRACE);
    }

    @Test
    @Order(2)
    void missingTopicsStopTheRunWithOneLineThatNamesThem() throws Exception {
        kafka.createTopics(1, "only-in");
        ScriptRun r =
                ScriptRun.run(
                        ScriptRun.ROOT.resolve("bin/activations"),
                        "",
                        Duration.ofSeconds(60),
                        "run",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--input-topic",
                        "only-in,not-there",
                        "--output-topic",
                        "no-out",
                        "--activation",
                        "relu");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(runLines(r))
                .singleElement()
                .asString()
                .contains("the input topic 'not-there' does not exist; create it first")
                .contains("the output topic 'no-out' does not exist")
                .contains("the dead-letter topic 'no-out-dlq' does not exist");
        assertThat(r.console()).doesNotContain(ScriptRun.STACK_TRACE);
    }

    @Test
    @Order(3)
    void aBoundedRunWhoseBrokerGoesAwayReportsEachFailureAndExitsNonZero() throws Exception {
        kafka.createTopics(2, "gone-in", "gone-out", "gone-out-dlq");
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            records.add(
                    new ProducerRecord<>(
                            "gone-in",
                            ("k" + i % 7).getBytes(StandardCharsets.UTF_8),
                            ("{\"features\": [" + i + ", -1]}").getBytes(StandardCharsets.UTF_8)));
        }
        kafka.send(records);
        ScriptRun.Running run =
                ScriptRun.start(
                        ScriptRun.ROOT.resolve("bin/activations"),
                        "",
                        Map.of(),
                        "run",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--input-topic",
                        "gone-in",
                        "--output-topic",
                        "gone-out",
                        "--activation",
                        "relu",
                        "--bounded",
                        "--starting-offsets",
                        "earliest",
                        "--checkpoint-interval",
                        "1s",
                        "--restart-strategy",
                        "fixed-delay(2, 1s)",
                        // Kafka's clients give up after 5 s instead of 1 min, to keep the test
                        // short
                        "--kafka-property",
                        "default.api.timeout.ms=5000",
                        "--kafka-property",
                        "request.timeout.ms=3000",
                        "--kafka-property",
                        "max.block.ms=5000",
                        "--kafka-property",
                        "delivery.timeout.ms=6000");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!run.errSoFar().contains("the job starts")
                && System.nanoTime() < deadline
                && run.process().isAlive()) {
            Thread.sleep(
                    50); // polling the console file of another process, bounded by the deadline
        }
        assertThat(run.errSoFar()).contains("run: checked Kafka at");
        kafka.close();
        kafka = null;

        ScriptRun r = run.await(Duration.ofSeconds(150));
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        List<String> lines = runLines(r);
        assertThat(
                        lines.stream()
                                .filter(
                                        l ->
                                                l.startsWith(
                                                        "run: the job failed and restarts (restart strategy"
                                                                + " fixed-delay(2, 1s)): ")))
                .hasSize(2);
        assertThat(lines.get(lines.size() - 1))
                .startsWith(
                        "run: the job failed and will not restart (restart strategy"
                                + " fixed-delay(2, 1s)): ")
                .contains("TimeoutException");
        assertThat(r.console()).doesNotContain(ScriptRun.STACK_TRACE);
    }
}
