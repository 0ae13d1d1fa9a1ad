package io.flinkactivations.jobs;

import static io.flinkactivations.jobs.ActivationJobITCase.JSON;
import static io.flinkactivations.jobs.ActivationJobITCase.floats;
import static io.flinkactivations.jobs.ActivationJobITCase.jsonArray;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.jobs.testutils.KafkaJobTestBase;
import io.flinkactivations.kafka.DeadLetterSerializationSchema;
import io.flinkactivations.testutils.GoldenCase;
import io.flinkactivations.testutils.GoldenRule;
import io.flinkactivations.testutils.ReferenceSoftmax;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Windowed softmax normalization end to end (KRaft broker + MiniCluster): every window kind checked
 * against the core's softmax on the same batches, golden windows through Kafka, late records and
 * dimension mismatches dead-lettered.
 */
class WindowedSoftmaxITCase extends KafkaJobTestBase {

    static StreamExecutionEnvironment job(boolean bounded, String... flags) {
        List<String> args = new ArrayList<>(List.of(jobFlags(bounded, flags)));
        args.addAll(List.of("--max-out-of-orderness", "0ms"));
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs(args.toArray(String[]::new));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ActivationPipeline.build(env, options.validate());
        return env;
    }

    /** One input record: id, key, event time (s), features. */
    record In(String id, String key, long tsSeconds, float[] features) {
        In withId(String newId) {
            return new In(newId, key, tsSeconds, features);
        }

        ProducerRecord<byte[], byte[]> toKafka(String topic) {
            return record(
                    topic,
                    key,
                    utf8(
                            "{\"id\":\""
                                    + id
                                    + "\",\"ts\":"
                                    + tsSeconds * 1000
                                    + ",\"features\":"
                                    + jsonArray(features)
                                    + "}"));
        }
    }

    /** One output: the input's id, the window, the features. */
    record Out(String id, long start, long end, int count, float[] features) {
        static Out of(ConsumerRecord<byte[], byte[]> r) throws Exception {
            JsonNode j = JSON.readTree(r.value());
            JsonNode w = j.get("window");
            return new Out(
                    j.get("id").asText(),
                    w.get("start").asLong(),
                    w.get("end").asLong(),
                    w.get("count").asInt(),
                    floats(j.get("features")));
        }
    }

    static List<In> randomInputs(String key, long[] tsSeconds, int dim, SplittableRandom rnd) {
        List<In> in = new ArrayList<>();
        for (int i = 0; i < tsSeconds.length; i++) {
            float[] f = new float[dim];
            for (int j = 0; j < dim; j++) {
                f[j] = (float) (rnd.nextGaussian() * 4);
            }
            in.add(new In(key + "-" + i, key, tsSeconds[i], f));
        }
        return in;
    }

    /**
     * Checks every output against the core's softmax over the records of its (key, window), in the
     * order the window gives them (the outputs of one window, grouped by start).
     */
    static void assertWindowsMatchTheCore(String spec, List<In> inputs, List<Out> outputs) {
        Map<String, In> byId = new LinkedHashMap<>();
        inputs.forEach(i -> byId.put(i.id(), i));
        Map<String, List<Out>> windows = new TreeMap<>();
        for (Out o : outputs) {
            windows.computeIfAbsent(
                            byId.get(o.id()).key() + "@" + o.start() + "-" + o.end(),
                            k -> new ArrayList<>())
                    .add(o);
        }
        for (List<Out> w : windows.values()) {
            int n = w.size();
            assertThat(w).allSatisfy(o -> assertThat(o.count()).isEqualTo(n));
            int d = w.get(0).features().length;
            float[] batch = new float[n * d];
            for (int r = 0; r < n; r++) {
                System.arraycopy(byId.get(w.get(r).id()).features(), 0, batch, r * d, d);
            }
            ActivationSpec parsed = ActivationSpec.parse(spec);
            double[] ref =
                    ReferenceSoftmax.alongDim0(
                            parsed.activation().functionalName(),
                            parsed.temperature(),
                            batch,
                            n,
                            d);
            float[] expected = ReferenceSoftmax.toFloat(ref);
            float[] actual = new float[n * d];
            for (int r = 0; r < n; r++) {
                System.arraycopy(w.get(r).features(), 0, actual, r * d, d);
            }
            assertThat(
                            GoldenRule.check(
                                    spec + " window " + w.get(0).start(),
                                    GoldenRule.Scale.of(
                                            ActivationSpec.parse(spec)
                                                    .activation()
                                                    .functionalName()),
                                    batch,
                                    n,
                                    d,
                                    expected,
                                    ref,
                                    actual))
                    .isNull();
        }
    }

    static List<Out> outputs(String topic, int expected) throws Exception {
        // one partition per topic (see topics(name, 1)): event time of a key advances in order, and
        // no
        // idle partition holds back the watermark
        List<Out> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : read(topic, expected)) {
            out.add(Out.of(r));
        }
        return out;
    }

    @Test
    void tumblingWindows() throws Exception {
        String[] t = topics("tumbling", 1);
        SplittableRandom rnd = new SplittableRandom(1);
        List<In> in =
                new ArrayList<>(randomInputs("a", new long[] {0, 3, 9, 10, 15, 19, 25}, 5, rnd));
        in.addAll(randomInputs("b", new long[] {1, 2, 12}, 5, rnd));
        kafka.send(in.stream().map(i -> i.toKafka(t[0])).toList());
        job(
                        true,
                        "--input-topic",
                        t[0],
                        "--output-topic",
                        t[1],
                        "-a",
                        "softmax",
                        "-w",
                        "tumbling(10s)")
                .execute();
        List<Out> out = outputs(t[1], in.size());
        assertThat(out).hasSize(in.size()); // one output per record
        assertThat(
                        out.stream()
                                .filter(o -> o.id().startsWith("a-"))
                                .map(Out::start)
                                .distinct()
                                .sorted())
                .containsExactly(0L, 10_000L, 20_000L);
        assertThat(out).allSatisfy(o -> assertThat(o.end() - o.start()).isEqualTo(10_000L));
        assertWindowsMatchTheCore("softmax", in, out);
    }

    @Test
    void slidingWindowsGiveOneOutputPerWindow() throws Exception {
        String[] t = topics("sliding", 1);
        List<In> in = randomInputs("a", new long[] {0, 4, 6, 11, 14}, 3, new SplittableRandom(2));
        kafka.send(in.stream().map(i -> i.toKafka(t[0])).toList());
        job(
                        true,
                        "--input-topic",
                        t[0],
                        "--output-topic",
                        t[1],
                        "-a",
                        "log_softmax",
                        "-w",
                        "sliding(10s, 5s)")
                .execute();
        List<Out> out = outputs(t[1], in.size() * 2);
        assertThat(out).hasSize(in.size() * 2); // size / slide = 2 windows per record
        assertWindowsMatchTheCore("log_softmax", in, out);
    }

    @Test
    void sessionWindows() throws Exception {
        String[] t = topics("session", 1);
        List<In> in = randomInputs("a", new long[] {0, 1, 3, 20, 22}, 4, new SplittableRandom(3));
        kafka.send(in.stream().map(i -> i.toKafka(t[0])).toList());
        job(
                        true,
                        "--input-topic",
                        t[0],
                        "--output-topic",
                        t[1],
                        "-a",
                        "softmin",
                        "-w",
                        "session(5s)")
                .execute();
        List<Out> out = outputs(t[1], in.size());
        assertThat(out).hasSize(in.size());
        assertThat(out.stream().map(Out::count).sorted().toList()).containsExactly(2, 2, 3, 3, 3);
        assertWindowsMatchTheCore("softmin", in, out);
    }

    @Test
    void countWindowsIncludingTheLastShortOneAndGoldenBatches() throws Exception {
        String[] t = topics("count", 1);
        List<In> in =
                randomInputs("a", new long[] {0, 0, 0, 0, 0, 0, 0}, 6, new SplittableRandom(4));
        // a golden window: 17 records of 5 features, in order, on key g (one partition keeps the
        // order)
        GoldenCase golden =
                GoldenCase.all().stream()
                        .filter(c -> c.op().equals("softmax") && c.caseName().equals("window_17x5"))
                        .findFirst()
                        .orElseThrow();
        List<ProducerRecord<byte[], byte[]>> records =
                new ArrayList<>(in.stream().map(i -> i.toKafka(t[0])).toList());
        for (int r = 0; r < golden.rows(); r++) {
            float[] row =
                    java.util.Arrays.copyOfRange(
                            golden.input(), r * golden.cols(), (r + 1) * golden.cols());
            records.add(
                    record(
                            t[0],
                            "g",
                            utf8("{\"id\":\"g-" + r + "\",\"features\":" + jsonArray(row) + "}")));
        }
        kafka.send(records);
        job(true, "--input-topic", t[0], "--output-topic", t[1], "-a", "softmax", "-w", "count(17)")
                .execute();
        List<Out> out = outputs(t[1], records.size());
        assertThat(out).hasSize(records.size());
        List<Out> a = out.stream().filter(o -> o.id().startsWith("a-")).toList();
        assertThat(a)
                .allSatisfy(
                        o ->
                                assertThat(o.count())
                                        .isEqualTo(7)); // the end of input fires the short window
        assertWindowsMatchTheCore("softmax", in, a);
        List<Out> g =
                out.stream()
                        .filter(o -> o.id().startsWith("g-"))
                        .sorted(Comparator.comparingInt(o -> Integer.parseInt(o.id().substring(2))))
                        .toList();
        float[] actual = new float[golden.input().length];
        for (int r = 0; r < g.size(); r++) {
            System.arraycopy(g.get(r).features(), 0, actual, r * golden.cols(), golden.cols());
        }
        assertThat(
                        GoldenRule.check(
                                "golden window_17x5 through Kafka",
                                GoldenRule.Scale.SOFTMAX,
                                golden.input(),
                                golden.rows(),
                                golden.cols(),
                                golden.expected(),
                                golden.expectedF64(),
                                actual))
                .isNull();
    }

    @Test
    void aRecordFromTheFarFutureDoesNotSilenceTheWindowsAfterIt() throws Exception {
        // one partition, tumbling(10s): twenty records, one from the year 2500 (a producer's bad
        // clock), twenty more, and one a minute later; all of them ten minutes ago but that one
        String[] t = topics("future", 1);
        long base = System.currentTimeMillis() / 1000 / 10 * 10 - 600;
        SplittableRandom rnd = new SplittableRandom(29);
        List<In> good = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            good.add(randomInputs("a", new long[] {base + i / 4}, 3, rnd).get(0).withId("a-" + i));
        }
        good.add(randomInputs("a", new long[] {base + 70}, 3, rnd).get(0).withId("a-late-minute"));
        In future = new In("future", "a", 16_725_225_600L, new float[] {1, 2, 3});
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < good.size(); i++) {
            if (i == 20) {
                records.add(future.toKafka(t[0]));
            }
            records.add(good.get(i).toKafka(t[0]));
        }
        kafka.send(records);
        job(
                        true,
                        "--input-topic",
                        t[0],
                        "--output-topic",
                        t[1],
                        "-a",
                        "softmax",
                        "-w",
                        "tumbling(10s)")
                .execute();
        List<Out> out = outputs(t[1], good.size());
        assertThat(out.stream().map(Out::id))
                .containsExactlyInAnyOrderElementsOf(good.stream().map(In::id).toList());
        assertWindowsMatchTheCore("softmax", good, out);
        assertThat(read(t[2], 1))
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(header(r, DeadLetterSerializationSchema.HEADER_REASON))
                                    .isEqualTo("future-timestamp");
                            assertThat(
                                            header(
                                                    r,
                                                    DeadLetterSerializationSchema
                                                            .HEADER_EXCEPTION_MESSAGE))
                                    .contains("2500-01-01T00:00:00Z is more than 1h ahead");
                            assertThat(r.value()).isEqualTo(future.toKafka("x").value());
                        });
    }

    @Test
    void dimensionMismatchesAreDeadLetteredOnce() throws Exception {
        String[] t = topics("dimension", 1);
        List<In> in =
                new ArrayList<>(
                        randomInputs("a", new long[] {0, 1, 2}, 3, new SplittableRandom(5)));
        In odd = new In("odd", "a", 1, new float[] {1, 2});
        List<ProducerRecord<byte[], byte[]>> records =
                new ArrayList<>(in.stream().map(i -> i.toKafka(t[0])).toList());
        records.add(1, odd.toKafka(t[0]));
        kafka.send(records);
        job(
                        true,
                        "--input-topic",
                        t[0],
                        "--output-topic",
                        t[1],
                        "-a",
                        "softmax",
                        "-w",
                        "sliding(10s, 5s)")
                .execute();
        List<Out> out = outputs(t[1], in.size() * 2);
        assertThat(out).hasSize(in.size() * 2).noneMatch(o -> o.id().equals("odd"));
        List<ConsumerRecord<byte[], byte[]>> dlq = read(t[2], 1);
        assertThat(dlq)
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(header(r, DeadLetterSerializationSchema.HEADER_REASON))
                                    .isEqualTo("dimension-mismatch");
                            assertThat(r.value()).isEqualTo(odd.toKafka("x").value());
                        });
    }

    @Test
    void lateRecordsAreDeadLettered() throws Exception {
        String[] t = topics("late", 1);
        List<In> early = randomInputs("a", new long[] {100, 101, 200}, 2, new SplittableRandom(6));
        kafka.send(early.stream().map(i -> i.toKafka(t[0])).toList());
        JobClient client =
                job(
                                false,
                                "--input-topic",
                                t[0],
                                "--output-topic",
                                t[1],
                                "-a",
                                "softmax",
                                "-w",
                                "tumbling(10s)")
                        .executeAsync();
        try {
            // the window [100 s, 110 s) fired and was committed: the watermark is past it
            assertThat(outputs(t[1], 2)).hasSize(2);
            In late = new In("late", "a", 105, new float[] {1, 1});
            kafka.send(List.of(late.toKafka(t[0])));
            List<ConsumerRecord<byte[], byte[]>> dlq = read(t[2], 1);
            assertThat(dlq)
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(header(r, DeadLetterSerializationSchema.HEADER_REASON))
                                        .isEqualTo("late");
                                assertThat(new String(r.value(), StandardCharsets.UTF_8))
                                        .contains("\"id\":\"late\"");
                            });
        } finally {
            client.cancel().get();
        }
    }
}
