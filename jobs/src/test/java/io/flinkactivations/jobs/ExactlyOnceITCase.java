package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.jobs.testutils.KafkaJobTestBase;
import io.flinkactivations.kafka.FeatureVector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Exactly-once: a failure injected mid-stream makes the job restart from its last checkpoint; a
 * read_committed consumer sees every result exactly once, none lost, none doubled, and so for the
 * dead letters.
 */
class ExactlyOnceITCase extends KafkaJobTestBase {
    /** The injected failure fires once per JVM, on the record with this key. */
    static final AtomicBoolean FAILED = new AtomicBoolean();

    /**
     * Throws once, when it meets the poison record, after at least one checkpoint committed output.
     */
    static final class FailOnce implements MapFunction<FeatureVector, FeatureVector> {
        @Override
        public FeatureVector map(FeatureVector v) {
            if (v.key() != null
                    && new String(v.key(), StandardCharsets.UTF_8).equals("poison")
                    && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure");
            }
            return v;
        }
    }

    static List<ProducerRecord<byte[], byte[]>> batch(String topic, int from, int to) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            String key = i == 1500 ? "poison" : "k" + (i % 13);
            String value =
                    i % 100 == 7
                            ? "{\"id\": " + i + ", \"features\": oops}" // a dead letter
                            : "{\"id\": " + i + ", \"features\": [" + i + ", -1]}";
            records.add(
                    new ProducerRecord<>(
                            topic,
                            key.getBytes(StandardCharsets.UTF_8),
                            value.getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    @Test
    void aFailureMidStreamLosesAndDoublesNothing() throws Exception {
        String in = "eo-in";
        String out = "eo-out";
        kafka.createTopics(2, in, out, out + "-dlq");
        kafka.send(batch(in, 0, 1000));

        JobOptions options = new JobOptions();
        new CommandLine(options)
                .parseArgs(
                        jobFlags(
                                false,
                                "--input-topic",
                                in,
                                "--output-topic",
                                out,
                                "--activation",
                                "relu"));
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        JobConfig config = options.validate();
        ActivationPipeline.build(
                env,
                config,
                ActivationPipeline.SinkLimits.defaults(config),
                "",
                s -> s.map(new FailOnce(), s.getType()).name("failure injection"));
        JobClient job = env.executeAsync("exactly-once test");
        try {
            // some output is committed: a checkpoint completed before the failure
            assertThat(kafka.read(out, 100, Duration.ofSeconds(60), Duration.ZERO))
                    .hasSizeGreaterThanOrEqualTo(100);
            kafka.send(batch(in, 1000, 2000)); // includes the poison record

            int dead = 20; // ids 7, 107, ..., 1907
            List<ConsumerRecord<byte[], byte[]>> results =
                    kafka.read(out, 2000 - dead, Duration.ofSeconds(90), Duration.ofSeconds(2));
            List<ConsumerRecord<byte[], byte[]>> dlq =
                    kafka.read(out + "-dlq", dead, Duration.ofSeconds(30), Duration.ofSeconds(1));
            assertThat(FAILED).as("the failure was injected").isTrue();

            Map<Integer, Integer> seen = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : results) {
                int id = ActivationJobITCase.JSON.readTree(r.value()).get("id").asInt();
                seen.merge(id, 1, Integer::sum);
            }
            assertThat(seen.values()).as("no result doubled").allMatch(n -> n == 1);
            assertThat(seen).as("no result lost").hasSize(2000 - dead);
            assertThat(results).hasSize(2000 - dead);
            assertThat(dlq).as("each dead letter once").hasSize(dead);
        } finally {
            job.cancel().get();
        }
    }
}
