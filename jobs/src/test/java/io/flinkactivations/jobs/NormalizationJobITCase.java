package io.flinkactivations.jobs;

import static io.flinkactivations.jobs.ActivationJobITCase.JSON;
import static io.flinkactivations.jobs.ActivationJobITCase.floats;
import static io.flinkactivations.jobs.ActivationJobITCase.jsonArray;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import io.flinkactivations.jobs.testutils.KafkaJobTestBase;
import io.flinkactivations.kafka.DeadLetterSerializationSchema;
import io.flinkactivations.testutils.GoldenCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The normalizations end to end (KRaft broker + MiniCluster): a chain per record with a grouped
 * softmax's dead letter, golden batch_norm, min_max and max_abs windows, and running_batch_norm's
 * golden sequence of windows, through the job.
 */
class NormalizationJobITCase extends KafkaJobTestBase {

    /** The golden case's rows as records of one key, in order (one partition keeps it). */
    private static List<ProducerRecord<byte[], byte[]>> rows(
            GoldenCase c, String topic, String key) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int r = 0; r < c.rows(); r++) {
            float[] row = Arrays.copyOfRange(c.input(), r * c.cols(), (r + 1) * c.cols());
            records.add(
                    record(
                            topic,
                            key,
                            utf8(
                                    "{\"id\":\""
                                            + key
                                            + "-"
                                            + r
                                            + "\",\"ts\":"
                                            + r
                                            + ",\"features\":"
                                            + jsonArray(row)
                                            + "}")));
        }
        return records;
    }

    /** The outputs of one key, by their row number, as features; their JSON in {@code json}. */
    private static float[] features(
            List<ConsumerRecord<byte[], byte[]>> out, String key, GoldenCase c, List<JsonNode> json)
            throws Exception {
        float[] actual = new float[c.input().length];
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : out) {
            JsonNode j = JSON.readTree(r.value());
            String id = j.get("id").asText();
            if (id.startsWith(key + "-")) {
                int row = Integer.parseInt(id.substring(key.length() + 1));
                System.arraycopy(floats(j.get("features")), 0, actual, row * c.cols(), c.cols());
                json.add(j);
                n++;
            }
        }
        assertThat(n).as("outputs of %s", key).isEqualTo(c.rows());
        json.sort(
                Comparator.comparingInt(
                        j -> Integer.parseInt(j.get("id").asText().substring(key.length() + 1))));
        return actual;
    }

    @Test
    void aChainPerRecordAndAGroupedSoftmaxsDeadLetter() throws Exception {
        String[] t = topics("chain", 1);
        String spec = "layer_norm | softmax(groups=2) | hardtanh(0, 0.4)";
        float[][] inputs = {{1, 2, 3, 4}, {-1, 0.5f, 8, 2}};
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            records.add(
                    record(
                            t[0],
                            "k",
                            utf8(
                                    "{\"id\":\"v"
                                            + i
                                            + "\",\"features\":"
                                            + jsonArray(inputs[i])
                                            + "}")));
        }
        byte[] odd = utf8("{\"id\":\"odd\",\"features\":[1,2,3]}");
        records.add(record(t[0], "k", odd));
        kafka.send(records);
        WindowedSoftmaxITCase.job(true, "--input-topic", t[0], "--output-topic", t[1], "-a", spec)
                .execute();
        List<ConsumerRecord<byte[], byte[]>> out = read(t[1], inputs.length);
        assertThat(out).hasSize(inputs.length);
        for (ConsumerRecord<byte[], byte[]> r : out) {
            JsonNode j = JSON.readTree(r.value());
            int i = Integer.parseInt(j.get("id").asText().substring(1));
            float[] expected = inputs[i].clone();
            Kernels.get().kernel(ActivationSpec.parse(spec)).applyInPlace(expected);
            assertThat(floats(j.get("features"))).containsExactly(expected);
            assertThat(j.get("activation").asText())
                    .isEqualTo("layer_norm | softmax(groups=2) | hardtanh(min_val=0, max_val=0.4)");
        }
        assertThat(read(t[2], 1))
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(header(r, DeadLetterSerializationSchema.HEADER_REASON))
                                    .isEqualTo("dimension-mismatch");
                            assertThat(
                                            header(
                                                    r,
                                                    DeadLetterSerializationSchema
                                                            .HEADER_EXCEPTION_MESSAGE))
                                    .contains("softmax(groups=2) needs a multiple of 2");
                            assertThat(r.value()).isEqualTo(odd);
                        });
    }

    @Test
    void goldenWindowsOfTheScalersAndBatchNorm() throws Exception {
        for (String op : List.of("batch_norm", "min_max", "max_abs")) {
            GoldenCase c =
                    GoldenCase.all().stream()
                            .filter(g -> g.op().equals(op) && g.params().isEmpty())
                            .filter(g -> g.caseName().equals("window_17x5"))
                            .findFirst()
                            .orElseThrow();
            String[] t = topics(op.replace('_', '-'), 1);
            kafka.send(rows(c, t[0], "g"));
            WindowedSoftmaxITCase.job(
                            true,
                            "--input-topic",
                            t[0],
                            "--output-topic",
                            t[1],
                            "-a",
                            op,
                            "-w",
                            "count(17)")
                    .execute();
            List<JsonNode> json = new ArrayList<>();
            float[] actual = features(read(t[1], c.rows()), "g", c, json);
            assertThat(c.check(c + " through Kafka", actual)).isNull();
            assertThat(json)
                    .allSatisfy(
                            j -> assertThat(j.get("window").get("count").asInt()).isEqualTo(17));
        }
    }

    @Test
    void runningBatchNormComesOutAtOnceAndLearnsFromEachWindow() throws Exception {
        GoldenCase c =
                GoldenCase.running().stream()
                        .filter(g -> g.caseName().equals("window_17x5") && g.params().isEmpty())
                        .findFirst()
                        .orElseThrow();
        String[] t = topics("running", 1);
        kafka.send(rows(c, t[0], "g"));
        WindowedSoftmaxITCase.job(
                        true,
                        "--input-topic",
                        t[0],
                        "--output-topic",
                        t[1],
                        "-a",
                        c.spec(),
                        "-w",
                        c.window())
                .execute();
        List<JsonNode> json = new ArrayList<>();
        float[] actual = features(read(t[1], c.rows()), "g", c, json);
        assertThat(c.check(c + " over " + c.window() + " through Kafka", actual)).isNull();
        for (int r = 0; r < json.size(); r++) {
            JsonNode window = json.get(r).get("window");
            assertThat(window.has("start")).isFalse();
            assertThat(window.get("count").asInt())
                    .as("windows seen by row %d", r)
                    .isEqualTo(r / 4);
        }
    }
}
