package io.flinkactivations.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.core.ActivationKernel;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operators on a user's own record type (a POJO with a {@code float[]} or {@code double[]}), on
 * a MiniCluster with Kryo switched off: results are the compute core's, windows give each record
 * its window's start, end and count, and every record that cannot be processed comes out once as a
 * {@link DeadLetter} with its reason.
 */
class UserTypesITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** A user's record: a Flink POJO. */
    public static class Reading {
        public String sensor;
        public long ts;
        public float[] features;
        public long windowStart;
        public long windowEnd;
        public int windowCount;
        public boolean timeBounds;

        public Reading() {}

        Reading(String sensor, long ts, float... features) {
            this.sensor = sensor;
            this.ts = ts;
            this.features = features;
        }

        Reading withFeatures(float[] f, WindowInfo w) {
            Reading r = new Reading(sensor, ts, f);
            r.windowStart = w.start();
            r.windowEnd = w.end();
            r.windowCount = w.count();
            r.timeBounds = w.hasTimeBounds();
            return r;
        }

        String id() {
            return sensor + "@" + ts;
        }

        @Override
        public String toString() {
            return id() + Arrays.toString(features);
        }
    }

    /** Another user type, with double features. */
    public static class Sample {
        public String id;
        public double[] values;

        public Sample() {}

        Sample(String id, double... values) {
            this.id = id;
            this.values = values;
        }
    }

    /** A result of another type than the input. */
    public static class Scored {
        public String id;
        public float[] scores;

        public Scored() {}

        Scored(String id, float[] scores) {
            this.id = id;
            this.scores = scores;
        }
    }

    static final TypeInformation<Reading> READING = Types.POJO(Reading.class);

    /** Kryo off: any type Flink cannot serialize itself fails the job. */
    static StreamExecutionEnvironment env() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        return env;
    }

    /** A watermark after every record: which records are late is then exact. */
    static WatermarkStrategy<Reading> eventTime() {
        return WatermarkStrategy.<Reading>forGenerator(
                        ctx ->
                                new WatermarkGenerator<>() {
                                    long max = Long.MIN_VALUE;

                                    @Override
                                    public void onEvent(Reading r, long ts, WatermarkOutput out) {
                                        max = Math.max(max, ts);
                                        out.emitWatermark(new Watermark(max));
                                    }

                                    @Override
                                    public void onPeriodicEmit(WatermarkOutput out) {}
                                })
                .withTimestampAssigner((r, t) -> r.ts);
    }

    /** Results as (record, "ok") and dead letters as (record, reason), one list. */
    static List<Tuple2<Reading, String>> run(ActivationResult<Reading, DeadLetter<Reading>> result)
            throws Exception {
        TypeInformation<Tuple2<Reading, String>> type = Types.TUPLE(READING, Types.STRING);
        DataStream<Tuple2<Reading, String>> all =
                result.output()
                        .map(r -> Tuple2.of(r, "ok"), type)
                        .union(
                                result.deadLetters()
                                        .map(d -> Tuple2.of(d.record(), d.reason().code()), type));
        List<Tuple2<Reading, String>> out = new ArrayList<>();
        try (CloseableIterator<Tuple2<Reading, String>> it = all.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    static float[] expectedAlongDim0(String spec, List<float[]> rows) {
        int d = rows.get(0).length;
        float[] batch = new float[rows.size() * d];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, batch, i * d, d);
        }
        Kernels.get()
                .kernel(ActivationSpec.parse(spec))
                .applyAlongDim0(batch, 0, batch, 0, rows.size(), d);
        return batch;
    }

    static List<Reading> randomReadings(int n, int dimension, long step) {
        SplittableRandom rnd = new SplittableRandom(21);
        List<Reading> in = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] f = new float[dimension];
            for (int j = 0; j < dimension; j++) {
                f[j] = (float) rnd.nextDouble(-6, 6);
            }
            in.add(new Reading("s" + (i % 3), 1_000L + i * step, f));
        }
        return in;
    }

    @Test
    void mapGivesTheKernelsResultsInTheUsersOwnTypeAndDeadLettersWhatHasNoFeatures()
            throws Exception {
        StreamExecutionEnvironment env = env();
        List<Reading> in = randomReadings(40, 7, 1);
        in.add(new Reading("s0", 5_000L)); // no features: an empty array
        Reading missing = new Reading("s1", 5_001L);
        missing.features = null;
        in.add(missing);
        DataStream<Reading> readings = env.fromData(READING, in.toArray(Reading[]::new));

        ActivationResult<Reading, DeadLetter<Reading>> gelu =
                Activations.map(
                        readings,
                        "gelu(approximate='tanh')",
                        Features.floats(r -> r.features),
                        (r, out) -> new Reading(r.sensor, r.ts, out));
        List<Tuple2<Reading, String>> out = run(gelu);

        ActivationKernel kernel =
                Kernels.get().kernel(ActivationSpec.parse("gelu(approximate='tanh')"));
        Map<String, String> reasons = new HashMap<>();
        int results = 0;
        for (Tuple2<Reading, String> t : out) {
            if (!t.f1.equals("ok")) {
                reasons.put(t.f0.id(), t.f1);
                continue;
            }
            results++;
            Reading source =
                    in.stream().filter(r -> r.id().equals(t.f0.id())).findFirst().orElseThrow();
            float[] expected = new float[source.features.length];
            kernel.apply(source.features, 0, expected, 0, expected.length);
            assertThat(t.f0.features).as(t.f0.id()).containsExactly(expected);
        }
        assertThat(results).isEqualTo(40);
        assertThat(reasons)
                .containsOnly(
                        Map.entry("s0@5000", "empty-vector"),
                        Map.entry("s1@5001", "missing-features"));
    }

    @Test
    void mapOnDoublesToAnotherResultType() throws Exception {
        StreamExecutionEnvironment env = env();
        DataStream<Sample> samples =
                env.fromData(
                        Types.POJO(Sample.class),
                        new Sample("a", 1.0, -2.5, 0.1),
                        new Sample("b", 1e-3, 40.0, -40.0));
        ActivationResult<Scored, DeadLetter<Sample>> softmax =
                Activations.map(
                        samples,
                        "softmax",
                        Features.doubles(s -> s.values),
                        (s, out) -> {
                            float[] f = new float[out.length];
                            for (int i = 0; i < out.length; i++) {
                                f[i] = (float) out[i]; // widened from float32: narrowing back
                                // is exact
                            }
                            return new Scored(s.id, f);
                        },
                        Types.POJO(Scored.class),
                        "softmax");
        Map<String, float[]> byId = new TreeMap<>();
        try (CloseableIterator<Scored> it = softmax.output().executeAndCollect()) {
            it.forEachRemaining(s -> byId.put(s.id, s.scores));
        }
        ActivationKernel kernel = Kernels.get().kernel(ActivationSpec.parse("softmax"));
        float[] a = {1.0f, -2.5f, 0.1f};
        float[] b = {1e-3f, 40.0f, -40.0f};
        kernel.applyInPlace(a);
        kernel.applyInPlace(b);
        assertThat(byId).containsOnlyKeys("a", "b");
        assertThat(byId.get("a")).containsExactly(a);
        assertThat(byId.get("b")).containsExactly(b);
    }

    @Test
    void windowsOnDoublesAreComputedInFloat32AndWidened() throws Exception {
        StreamExecutionEnvironment env = env();
        DataStream<Sample> samples =
                env.fromData(
                        Types.POJO(Sample.class),
                        new Sample("x1", 1.0, -2.5),
                        new Sample("x2", 3.0, 0.25),
                        new Sample("x3", 1.0, 2.0, 3.0));
        ActivationResult<Sample, DeadLetter<Sample>> softmax =
                Activations.windowedSoftmax(
                                samples.keyBy(s -> "all"),
                                Features.doubles(s -> s.values),
                                (s, out, window) -> new Sample(s.id + "/" + window.count(), out))
                        .activation("softmax")
                        .window("count(2)")
                        .build();
        Map<String, double[]> out = new TreeMap<>();
        try (CloseableIterator<Sample> it = softmax.output().executeAndCollect()) {
            it.forEachRemaining(s -> out.put(s.id, s.values));
        }
        float[] expected =
                expectedAlongDim0(
                        "softmax", List.of(new float[] {1.0f, -2.5f}, new float[] {3.0f, 0.25f}));
        assertThat(out).containsOnlyKeys("x1/2", "x2/2");
        assertThat(out.get("x1/2")).containsExactly(expected[0], expected[1]);
        assertThat(out.get("x2/2")).containsExactly(expected[2], expected[3]);
        List<DeadLetter<Sample>> dead = new ArrayList<>();
        try (CloseableIterator<DeadLetter<Sample>> it = softmax.deadLetters().executeAndCollect()) {
            it.forEachRemaining(dead::add);
        }
        assertThat(dead)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason()).isEqualTo(BadRecordReason.DIMENSION_MISMATCH);
                            assertThat(d.record().values).containsExactly(1.0, 2.0, 3.0);
                        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"tumbling(10 s)", "sliding(10s, 5s)", "session(3s)", "count(4)"})
    void windowsNormaliseEachKeysRecordsAlongDim0(String window) throws Exception {
        StreamExecutionEnvironment env = env();
        List<Reading> in = randomReadings(60, 5, 700); // 3 sensors, 42 s of records
        DataStream<Reading> readings =
                env.fromData(READING, in.toArray(Reading[]::new))
                        .assignTimestampsAndWatermarks(eventTime());
        ActivationResult<Reading, DeadLetter<Reading>> result =
                Activations.windowedSoftmax(
                                readings.keyBy(r -> r.sensor),
                                Features.floats(r -> r.features),
                                Reading::withFeatures)
                        .activation("log_softmax")
                        .window(window)
                        .build();
        List<Tuple2<Reading, String>> out = run(result);
        assertThat(out).allSatisfy(t -> assertThat(t.f1).isEqualTo("ok"));

        // group the outputs by (sensor, window); each group must be its records normalised along
        // dim 0
        Map<String, List<Reading>> windows = new TreeMap<>();
        for (Tuple2<Reading, String> t : out) {
            Reading r = t.f0;
            windows.computeIfAbsent(
                            r.sensor + " " + r.windowStart + " " + r.windowEnd,
                            k -> new ArrayList<>())
                    .add(r);
        }
        Map<String, Reading> inputs = new HashMap<>();
        in.forEach(r -> inputs.put(r.id(), r));
        int outputs = 0;
        for (List<Reading> w : windows.values()) {
            w.sort((x, y) -> Long.compare(x.ts, y.ts));
            if (window.startsWith("count")) {
                // count windows have no time bounds: group by arrival, n records of a key at a time
                assertThat(w.get(0).windowStart).isEqualTo(Long.MIN_VALUE);
                assertThat(w.get(0).timeBounds).isFalse();
                continue;
            }
            List<float[]> rows = new ArrayList<>();
            for (Reading r : w) {
                assertThat(r.windowCount).isEqualTo(w.size());
                assertThat(r.timeBounds).isTrue();
                assertThat(r.ts).isBetween(r.windowStart, r.windowEnd - 1);
                rows.add(inputs.get(r.id()).features);
            }
            float[] expected = expectedAlongDim0("log_softmax", rows);
            for (int i = 0; i < w.size(); i++) {
                assertThat(w.get(i).features)
                        .as(w.get(i).id())
                        .containsExactly(Arrays.copyOfRange(expected, i * 5, (i + 1) * 5));
            }
            outputs += w.size();
        }
        if (window.startsWith("count")) {
            assertCountWindows(in, out);
            return;
        }
        int perRecord = window.startsWith("sliding") ? 2 : 1;
        assertThat(outputs).isEqualTo(in.size() * perRecord);
    }

    /** count(4): each sensor's records in arrival order, four at a time, the last batch shorter. */
    static void assertCountWindows(List<Reading> in, List<Tuple2<Reading, String>> out) {
        Map<String, Reading> byId = new HashMap<>();
        out.forEach(t -> byId.put(t.f0.id(), t.f0));
        assertThat(byId).hasSize(in.size());
        Map<String, List<Reading>> perSensor = new TreeMap<>();
        in.forEach(r -> perSensor.computeIfAbsent(r.sensor, k -> new ArrayList<>()).add(r));
        for (List<Reading> rs : perSensor.values()) {
            for (int from = 0; from < rs.size(); from += 4) {
                List<Reading> batch = rs.subList(from, Math.min(from + 4, rs.size()));
                float[] expected =
                        expectedAlongDim0(
                                "log_softmax", batch.stream().map(r -> r.features).toList());
                for (int i = 0; i < batch.size(); i++) {
                    Reading o = byId.get(batch.get(i).id());
                    assertThat(o.windowCount).isEqualTo(batch.size());
                    assertThat(o.features)
                            .containsExactly(Arrays.copyOfRange(expected, i * 5, (i + 1) * 5));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tumbling(10s)", "session(3s)"})
    void lateRecordsDimensionMismatchesAndMissingEventTimesAreDeadLetters(String window)
            throws Exception {
        StreamExecutionEnvironment env = env();
        List<Reading> in =
                List.of(
                        new Reading("a", 1_000L, 1, 2),
                        new Reading("a", 2_000L, 3, 4, 5), // another dimension than a's first
                        new Reading("a", 2_500L), // empty
                        new Reading("b", 3_000L, 1, 1),
                        new Reading("a", 30_000L, 0, 0), // the watermark passes a's first window
                        new Reading("a", 1_500L, 9, 9)); // too late for it
        DataStream<Reading> readings =
                env.fromData(READING, in.toArray(Reading[]::new))
                        .assignTimestampsAndWatermarks(eventTime());
        List<Tuple2<Reading, String>> out =
                run(
                        Activations.windowedSoftmax(
                                        readings.keyBy(r -> r.sensor),
                                        Features.floats(r -> r.features),
                                        Reading::withFeatures)
                                .activation("softmax")
                                .window(window)
                                .build());
        Map<String, String> what = new TreeMap<>();
        out.forEach(t -> assertThat(what.put(t.f0.id(), t.f1)).as("%s once", t.f0.id()).isNull());
        assertThat(what)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "a@1000",
                                "ok",
                                "a@2000",
                                BadRecordReason.DIMENSION_MISMATCH.code(),
                                "a@2500",
                                BadRecordReason.EMPTY_VECTOR.code(),
                                "b@3000",
                                "ok",
                                "a@30000",
                                "ok",
                                "a@1500",
                                BadRecordReason.LATE.code()));
    }

    @Test
    void recordsWithoutAnEventTimeAreDeadLettersInTimeWindowsAndCountedInCountWindows()
            throws Exception {
        Function<String, List<Tuple2<Reading, String>>> runWindow =
                window -> {
                    StreamExecutionEnvironment env = env();
                    DataStream<Reading> readings =
                            env.fromData(
                                    READING,
                                    new Reading("a", 1L, 1, 2),
                                    new Reading("a", 2L, 2, 1));
                    try {
                        return run(
                                Activations.windowedSoftmax(
                                                readings.keyBy(r -> r.sensor),
                                                Features.floats(r -> r.features),
                                                Reading::withFeatures)
                                        .activation("softmax")
                                        .window(window)
                                        .build());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                };
        assertThat(runWindow.apply("tumbling(1s)"))
                .extracting(t -> t.f1)
                .containsExactly("invalid-timestamp", "invalid-timestamp");
        List<Tuple2<Reading, String>> counted = runWindow.apply("count(2)");
        assertThat(counted).extracting(t -> t.f1).containsExactly("ok", "ok");
        float[] expected =
                expectedAlongDim0("softmax", List.of(new float[] {1, 2}, new float[] {2, 1}));
        assertThat(
                        counted.stream()
                                .filter(t -> t.f0.ts == 1L)
                                .findFirst()
                                .orElseThrow()
                                .f0
                                .features)
                .containsExactly(expected[0], expected[1]);
        assertThat(counted)
                .allSatisfy(t -> assertThat(Objects.requireNonNull(t.f0).windowCount).isEqualTo(2));
    }

    @Test
    void aRecordFromTheFarFutureDoesNotMoveTheBuildersWatermark() throws Exception {
        // the builder's own watermarks (maxOutOfOrderness): twenty readings, one from the year
        // 2500, twenty more and one a minute later, all ten minutes ago but that one
        long base = System.currentTimeMillis() / 10_000 * 10_000 - 600_000;
        List<Reading> in = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            in.add(new Reading("s", base + i * 250L, i, -i));
        }
        in.add(20, new Reading("s", 16_725_225_600_000L, 1, 2));
        in.add(new Reading("s", base + 70_000, 5, 6));
        StreamExecutionEnvironment env = env();
        ActivationResult<Reading, DeadLetter<Reading>> result =
                Activations.windowedSoftmax(
                                env.fromData(READING, in.toArray(Reading[]::new))
                                        .assignTimestampsAndWatermarks( // timestamps only
                                                WatermarkStrategy.<Reading>noWatermarks()
                                                        .withTimestampAssigner((r, t) -> r.ts))
                                        .keyBy(r -> r.sensor),
                                Features.floats(r -> r.features),
                                Reading::withFeatures)
                        .activation("softmax")
                        .window("tumbling(10s)")
                        .maxOutOfOrderness(java.time.Duration.ofSeconds(1))
                        .build();
        List<Tuple2<Reading, String>> out = run(result);
        assertThat(out.stream().filter(t -> !t.f1.equals("ok")))
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.f1).isEqualTo("future-timestamp");
                            assertThat(t.f0.ts).isEqualTo(16_725_225_600_000L);
                        });
        assertThat(out.stream().filter(t -> t.f1.equals("ok")).map(t -> t.f0.id()))
                .containsExactlyInAnyOrderElementsOf(
                        in.stream().filter(r -> r.ts < base + 100_000).map(Reading::id).toList());
    }
}
