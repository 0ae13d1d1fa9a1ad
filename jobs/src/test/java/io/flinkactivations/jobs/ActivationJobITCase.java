package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkactivations.format.F32le;
import io.flinkactivations.jobs.testutils.KafkaJobTestBase;
import io.flinkactivations.kafka.DeadLetterSerializationSchema;
import io.flinkactivations.testutils.GoldenCase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The job end to end on a Flink MiniCluster against a real Kafka broker (KRaft, in process): golden
 * cases through Kafka in both formats, and bad input to the dead-letter topic. One broker and one
 * MiniCluster for the class.
 */
class ActivationJobITCase extends KafkaJobTestBase {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Runs the job with the given flags, bounded, to the end of its input, on the MiniCluster. */
    static void runJob(String... flags) throws Exception {
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs(jobFlags(true, flags));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ActivationPipeline.build(env, options.validate());
        env.execute();
    }

    static List<GoldenCase> vectorCases(String spec) {
        return GoldenCase.all().stream()
                .filter(c -> c.spec().equals(spec) && !c.isWindow())
                .toList();
    }

    static String jsonArray(float[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append(Float.isFinite(v[i]) ? Float.toString(v[i]) : "\"" + v[i] + "\"");
        }
        return sb.append(']').toString();
    }

    static float[] floats(JsonNode array) {
        double[] d = GoldenCase.doubles(array);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    static void assertGolden(GoldenCase c, float[] actual) {
        assertThat(c.check(c + " through Kafka", actual)).isNull();
    }

    @Test
    void goldenCasesThroughKafkaAsJson() throws Exception {
        String[] t = topics("golden-json", 2);
        for (String spec : List.of("leaky_relu(negative_slope=0.2)", "log_softmax")) {
            List<GoldenCase> cases = vectorCases(spec);
            String out = t[1] + "-" + spec.length();
            kafka.createTopics(1, out, out + "-dlq");
            String in = t[0] + "-" + spec.length();
            kafka.createTopics(2, in);
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (GoldenCase c : cases) {
                records.add(
                        record(
                                in,
                                c.caseName(),
                                utf8(
                                        "{\"id\": \""
                                                + c.caseName()
                                                + "\", \"features\": "
                                                + jsonArray(c.input())
                                                + ", \"note\": \"kept\"}")));
            }
            kafka.send(records);
            runJob("--input-topic", in, "--output-topic", out, "--activation", spec);

            List<ConsumerRecord<byte[], byte[]>> results = read(out, cases.size());
            assertThat(results).hasSize(cases.size());
            Map<String, GoldenCase> byId = new HashMap<>();
            cases.forEach(c -> byId.put(c.caseName(), c));
            for (ConsumerRecord<byte[], byte[]> r : results) {
                JsonNode json = JSON.readTree(r.value());
                String id = json.get("id").asText();
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(id); // key kept
                assertThat(json.get("note").asText()).isEqualTo("kept");
                assertThat(json.get("activation").asText()).isEqualTo(spec);
                assertGolden(byId.get(id), floats(json.get("features")));
            }
            assertThat(kafka.read(out + "-dlq", 0, Duration.ZERO, Duration.ofMillis(300)))
                    .isEmpty();
        }
    }

    @Test
    void goldenCasesThroughKafkaAsF32le() throws Exception {
        String[] t = topics("golden-f32", 2);
        String spec = "gelu";
        List<GoldenCase> cases = vectorCases(spec);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (GoldenCase c : cases) {
            records.add(record(t[0], c.caseName(), F32le.write(c.input(), 0, c.input().length)));
        }
        kafka.send(records);
        runJob(
                "--input-topic",
                t[0],
                "--output-topic",
                t[1],
                "--activation",
                spec,
                "--format",
                "f32le");

        List<ConsumerRecord<byte[], byte[]>> results = read(t[1], cases.size());
        assertThat(results).hasSize(cases.size());
        for (ConsumerRecord<byte[], byte[]> r : results) {
            String id = new String(r.key(), StandardCharsets.UTF_8);
            GoldenCase c =
                    cases.stream().filter(g -> g.caseName().equals(id)).findFirst().orElseThrow();
            assertGolden(c, F32le.parse(r.value()));
        }
    }

    @Test
    void badInputGoesToTheDeadLetterTopicWithItsReasonAndOriginalBytes() throws Exception {
        String[] t = topics("bad-json", 2);
        byte[] invalidUtf8 = {
            '{',
            '"',
            'f',
            'e',
            'a',
            't',
            'u',
            'r',
            'e',
            's',
            '"',
            ':',
            '[',
            '1',
            ']',
            ',',
            '"',
            'x',
            '"',
            ':',
            '"',
            (byte) 0xC3,
            '"',
            '}'
        };
        byte[] oversized = utf8("{\"features\": [1], \"pad\": \"" + "x".repeat(3000) + "\"}");
        Map<String, byte[]> bad = new java.util.LinkedHashMap<>();
        bad.put("malformed-json", utf8("{\"features\": [1, 2"));
        bad.put("wrong-type", utf8("{\"features\": [1, \"two\"]}"));
        bad.put("empty-vector", utf8("{\"features\": []}"));
        bad.put("oversized", oversized);
        bad.put("invalid-utf8", invalidUtf8);
        bad.put("missing-features", utf8("{\"id\": \"no features\"}"));
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        int good = 0;
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            records.add(record(t[0], "good-" + good, utf8("{\"features\": [" + good + ", -1]}")));
            good++;
            records.add(record(t[0], e.getKey(), e.getValue()));
        }
        records.add(record(t[0], null, utf8("[5, -5]"))); // no key, bare array: fine
        good++;
        kafka.send(records);
        runJob(
                "--input-topic",
                t[0],
                "--output-topic",
                t[1],
                "--activation",
                "relu",
                "--max-record-bytes",
                "2048");

        List<ConsumerRecord<byte[], byte[]>> out = read(t[1], good);
        List<ConsumerRecord<byte[], byte[]>> dlq = read(t[2], bad.size());
        assertThat(out.size() + dlq.size())
                .as("every record in exactly one place")
                .isEqualTo(records.size());
        assertThat(out).hasSize(good);
        for (ConsumerRecord<byte[], byte[]> r : out) {
            JsonNode json = JSON.readTree(r.value());
            if (r.key() == null) { // a bare array in gives a bare array out
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("[5.0,0.0]");
                continue;
            }
            assertThat(floats(json.get("features"))[1]).isZero(); // relu(-1)
        }
        assertThat(dlq).hasSize(bad.size());
        for (ConsumerRecord<byte[], byte[]> r : dlq) {
            String reason = header(r, DeadLetterSerializationSchema.HEADER_REASON);
            assertThat(reason).isEqualTo(new String(r.key(), StandardCharsets.UTF_8));
            assertThat(r.value()).as(reason + ": original bytes").isEqualTo(bad.get(reason));
            assertThat(header(r, DeadLetterSerializationSchema.HEADER_TOPIC)).isEqualTo(t[0]);
            assertThat(Long.parseLong(header(r, DeadLetterSerializationSchema.HEADER_OFFSET)))
                    .isNotNegative();
            assertThat(header(r, DeadLetterSerializationSchema.HEADER_PARTITION)).isIn("0", "1");
            assertThat(header(r, DeadLetterSerializationSchema.HEADER_EXCEPTION_MESSAGE))
                    .isNotBlank();
        }
    }

    @Test
    void truncatedF32leGoesToTheDeadLetterTopic() throws Exception {
        String[] t = topics("bad-f32", 2);
        byte[] good = F32le.write(new float[] {1f, -2f}, 0, 2);
        byte[] truncated = Arrays.copyOf(good, 7);
        kafka.send(
                List.of(
                        record(t[0], "a", good),
                        record(t[0], "b", truncated),
                        record(t[0], "c", good)));
        runJob(
                "--input-topic",
                t[0],
                "--output-topic",
                t[1],
                "--activation",
                "relu",
                "--format",
                "f32le");
        List<ConsumerRecord<byte[], byte[]>> out = read(t[1], 2);
        List<ConsumerRecord<byte[], byte[]>> dlq = read(t[2], 1);
        assertThat(out)
                .hasSize(2)
                .allSatisfy(r -> assertThat(F32le.parse(r.value())).containsExactly(1f, 0f));
        assertThat(dlq)
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.value()).isEqualTo(truncated);
                            assertThat(header(r, DeadLetterSerializationSchema.HEADER_REASON))
                                    .isEqualTo("truncated-f32");
                        });
    }
}
