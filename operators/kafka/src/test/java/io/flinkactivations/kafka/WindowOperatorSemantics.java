package io.flinkactivations.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.format.JsonRecord;
import io.flinkactivations.stream.BadRecordReason;
import io.flinkactivations.stream.internal.SoftmaxWindowOperator;
import io.flinkactivations.testutils.GoldenRule;
import io.flinkactivations.testutils.ReferenceSoftmax;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * What {@link SoftmaxWindowOperator} must do on any state backend, on Flink's operator test
 * harness: every fired window equals the batch kernel over exactly the records of its key and
 * interval (sparse and dense streams, slides that do not divide the size); allowed lateness
 * re-fires and then cleans up; dimension mismatches are dead-lettered once; state survives a
 * snapshot and restore; count windows flush at the end of input; large windows go through the
 * chunked path.
 */
abstract class WindowOperatorSemantics {
    private static final ActivationSpec SOFTMAX = ActivationSpec.parse("softmax");
    private static final String LATE = "too late";

    /** The state backend the harness runs on. */
    abstract StateBackend stateBackend();

    KeyedOneInputStreamOperatorTestHarness<String, FeatureVector, FeatureVector> harness(
            String window, long latenessMs) throws Exception {
        return harness(SOFTMAX, window, latenessMs);
    }

    KeyedOneInputStreamOperatorTestHarness<String, FeatureVector, FeatureVector> harness(
            ActivationSpec spec, String window, long latenessMs) throws Exception {
        SoftmaxWindowOperator op =
                new SoftmaxWindowOperator<>(
                        spec,
                        WindowSpec.parse(window),
                        latenessMs,
                        LATE,
                        FeatureVectorModel.INSTANCE);
        KeyedOneInputStreamOperatorTestHarness<String, FeatureVector, FeatureVector> h =
                new KeyedOneInputStreamOperatorTestHarness<>(op, new RecordKey(), Types.STRING);
        h.setStateBackend(stateBackend());
        h.setup(FeatureVectorSerializer.INSTANCE);
        return h;
    }

    static FeatureVector record(String key, long ts, float[] features) {
        return FeatureVector.of(features, ts).withKey(key.getBytes(StandardCharsets.UTF_8));
    }

    static float[] random(SplittableRandom rnd, int d) {
        float[] f = new float[d];
        for (int j = 0; j < d; j++) {
            f[j] = (float) (rnd.nextGaussian() * 3);
        }
        return f;
    }

    /** Outputs grouped by (key, window start, window end), in emission order. */
    static Map<String, List<FeatureVector>> windows(List<FeatureVector> outputs) {
        return outputs.stream()
                .collect(
                        Collectors.groupingBy(
                                o ->
                                        new String(o.key(), StandardCharsets.UTF_8)
                                                + " ["
                                                + o.windowStart()
                                                + ","
                                                + o.windowEnd()
                                                + ")",
                                LinkedHashMap::new,
                                Collectors.toList()));
    }

    /** Each window's outputs are the batch softmax of the inputs of its key whose time is in it. */
    static void assertEveryWindowIsTheBatchOfItsRecords(
            List<FeatureVector> inputs, List<FeatureVector> outputs, int d) {
        assertThat(outputs).isNotEmpty();
        for (Map.Entry<String, List<FeatureVector>> w : windows(outputs).entrySet()) {
            FeatureVector first = w.getValue().get(0);
            List<FeatureVector> members =
                    inputs.stream()
                            .filter(i -> Arrays.equals(i.key(), first.key()))
                            .filter(
                                    i ->
                                            i.timestamp() >= first.windowStart()
                                                    && i.timestamp() < first.windowEnd())
                            .collect(Collectors.toList());
            List<FeatureVector> outs = w.getValue();
            assertThat(outs).as(w.getKey()).hasSize(members.size());
            // outputs keep their record's timestamp, and records of equal time keep their arrival
            // order
            // in both lists: a stable sort by time pairs each output with its input
            outs.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
            members.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
            float[] batch = new float[members.size() * d];
            for (int r = 0; r < members.size(); r++) {
                System.arraycopy(members.get(r).features(), 0, batch, r * d, d);
            }
            double[] reference = ReferenceSoftmax.alongDim0("softmax", 1, batch, members.size(), d);
            float[] expected = ReferenceSoftmax.toFloat(reference);
            float[] actual = new float[batch.length];
            for (int r = 0; r < outs.size(); r++) {
                assertThat(outs.get(r).timestamp()).isEqualTo(members.get(r).timestamp());
                assertThat(outs.get(r).windowCount()).isEqualTo(members.size());
                System.arraycopy(outs.get(r).features(), 0, actual, r * d, d);
            }
            assertThat(
                            GoldenRule.check(
                                    w.getKey(),
                                    GoldenRule.Scale.SOFTMAX,
                                    batch,
                                    members.size(),
                                    d,
                                    expected,
                                    reference,
                                    actual))
                    .isNull();
        }
    }

    @Test
    void slidingAndTumblingWindowsEqualTheBatchOfTheirRecords() throws Exception {
        // sliding(10, 4) has slices of gcd = 2 ms; records out of order within the watermark.
        // Sparse
        // streams (a record every 1-3 ms over 3 keys) normalise each window as one batch; dense
        // ones
        // (about 10 records per ms) go through the slices' cached statistics.
        for (String window :
                List.of(
                        "tumbling(10ms)",
                        "sliding(10ms, 2ms)",
                        "sliding(10ms, 4ms)",
                        "sliding(9ms, 9ms)",
                        "dense sliding(10ms, 2ms)",
                        "dense sliding(12ms, 8ms)",
                        "dense tumbling(10ms)")) {
            boolean dense = window.startsWith("dense ");
            window = window.replace("dense ", "");
            SplittableRandom rnd = new SplittableRandom(window.hashCode());
            List<FeatureVector> inputs = new ArrayList<>();
            try (var h = harness(window, 0)) {
                h.open();
                long ts = 0;
                for (int i = 0; i < (dense ? 1500 : 400); i++) {
                    ts += dense ? (rnd.nextInt(10) == 0 ? 1 : 0) : rnd.nextInt(3) + 1;
                    long eventTime = Math.max(0, ts - rnd.nextInt(4)); // at most 3 ms out of order
                    FeatureVector v =
                            record("k" + rnd.nextInt(dense ? 1 : 3), eventTime, random(rnd, 7));
                    inputs.add(v);
                    h.processElement(v, eventTime);
                    if (i % 5 == 0) {
                        h.processWatermark(ts - 4);
                    }
                }
                h.processWatermark(Long.MAX_VALUE);
                assertThat(h.getSideOutput(FeatureVectorActivations.DEAD_LETTERS))
                        .as(window)
                        .isNull();
                List<FeatureVector> outputs = h.extractOutputValues();
                WindowSpec spec = WindowSpec.parse(window);
                long size = spec.size().toMillis();
                long slide = spec.slide().toMillis();
                long expected =
                        0; // each window fires once (no lateness): one output per record per window
                for (FeatureVector v : inputs) {
                    for (long start = -size - size % slide;
                            start <= v.timestamp();
                            start += slide) { // windows may start before 0
                        expected += v.timestamp() < start + size ? 1 : 0;
                    }
                }
                assertThat(outputs).as(window).hasSize((int) expected);
                assertEveryWindowIsTheBatchOfItsRecords(inputs, outputs, 7);
            }
        }
    }

    /** A JSON record as the Kafka source makes it: {"id": ..., "ts": ..., "features": [...]}. */
    static FeatureVector jsonRecord(String key, long ts, float[] f, int id) throws Exception {
        StringBuilder sb =
                new StringBuilder("{\"id\":\"r-" + id + "\",\"ts\":" + ts + ",\"features\":[");
        for (int j = 0; j < f.length; j++) {
            sb.append(j == 0 ? "" : ",").append(f[j]);
        }
        byte[] value = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        JsonRecord.Layout layout = JsonRecord.parse(value, 0, value.length);
        return FeatureVectors.json(
                key.getBytes(StandardCharsets.UTF_8), value, layout, ts, "in", 0, id);
    }

    @Test
    void jsonOutputsKeepTheOtherFieldsOfTheirRecord() throws Exception {
        try (var h = harness("count(2)", 0)) {
            h.open();
            FeatureVector a = jsonRecord("k", 5, new float[] {1, 2}, 1);
            FeatureVector b = jsonRecord("k", 6, new float[] {3, 0}, 2);
            h.processElement(a, 5);
            h.processElement(b, 6);
            List<FeatureVector> out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            String written =
                    new String(
                            FeatureVectors.jsonValue(
                                    out.get(0), "\"x\":1".getBytes(StandardCharsets.UTF_8)),
                            StandardCharsets.UTF_8);
            assertThat(written)
                    .startsWith("{\"id\":\"r-1\",\"ts\":5,\"features\":[0.11920292,0.880797")
                    .endsWith(",\"x\":1}");
            assertThat(out.get(0).key()).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
            assertThat(out.get(1).windowStart()).isEqualTo(5);
            assertThat(out.get(1).windowEnd()).isEqualTo(7);
        }
    }

    @Test
    void lateRecordsWithinTheAllowedLatenessFireTheWindowAgainAndLaterOnesAreDeadLetters()
            throws Exception {
        try (var h = harness("tumbling(10ms)", 5)) {
            h.open();
            h.processElement(record("k", 1, new float[] {1}), 1);
            h.processElement(record("k", 2, new float[] {2}), 2);
            h.processWatermark(10); // fires [0, 10)
            assertThat(h.extractOutputValues()).hasSize(2);
            h.getOutput().clear();
            h.processElement(
                    record("k", 3, new float[] {3}),
                    3); // late, within lateness: fires again with 3
            List<FeatureVector> again = h.extractOutputValues();
            assertThat(again).hasSize(3).allSatisfy(o -> assertThat(o.windowCount()).isEqualTo(3));
            assertThat(again.stream().mapToDouble(o -> o.features()[0]).sum())
                    .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
            h.getOutput().clear();
            try (var keys = h.getOperator().getKeyedStateBackend().getKeys("records", 10L)) {
                assertThat(keys.count())
                        .isEqualTo(1); // kept for late records until end - 1 + lateness
            }
            h.processWatermark(14); // past end - 1 + lateness = 13: the window is gone
            h.processElement(record("k", 4, new float[] {4}), 4);
            assertThat(h.extractOutputValues()).isEmpty();
            List<StreamRecord<FeatureVector>> dead =
                    new ArrayList<>(h.getSideOutput(FeatureVectorActivations.DEAD_LETTERS));
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).getValue().badReason()).isEqualTo(BadRecordReason.LATE);
            assertThat(dead.get(0).getValue().badMessage()).isEqualTo(LATE);
            assertThat(dead.get(0).getValue().timestamp()).isEqualTo(4);
            // the slice (ending at 10) is cleaned up
            try (var keys = h.getOperator().getKeyedStateBackend().getKeys("records", 10L)) {
                assertThat(keys.count()).isZero();
            }
        }
    }

    @Test
    void dimensionMismatchesAndBadRecordsAreDeadLetteredOnce() throws Exception {
        try (var h = harness("sliding(10ms, 1ms)", 0)) {
            h.open();
            h.processElement(record("k", 1, new float[] {1, 2}), 1);
            h.processElement(record("k", 2, new float[] {1, 2, 3}), 2);
            h.processElement(
                    record("j", 2, new float[] {1, 2, 3}), 2); // another key: its own dimension
            h.processElement(
                    FeatureVectors.bad(
                            null,
                            new byte[] {1},
                            3,
                            "in",
                            0,
                            9,
                            BadRecordReason.MALFORMED_JSON,
                            "x"),
                    3);
            h.processWatermark(Long.MAX_VALUE);
            List<StreamRecord<FeatureVector>> dead =
                    new ArrayList<>(h.getSideOutput(FeatureVectorActivations.DEAD_LETTERS));
            assertThat(dead)
                    .extracting(r -> r.getValue().badReason())
                    .containsExactly(
                            BadRecordReason.DIMENSION_MISMATCH, BadRecordReason.MALFORMED_JSON);
            assertThat(h.extractOutputValues()).hasSize(20); // two records, ten windows each
        }
    }

    @Test
    void snapshotAndRestoreMidWindowGiveTheSameOutputs() throws Exception {
        SplittableRandom rnd = new SplittableRandom(9);
        List<FeatureVector> inputs = new ArrayList<>();
        for (int i = 0;
                i < 600;
                i++) { // 5 records per ms and key: windows use the slices' cached statistics
            inputs.add(record("k" + (i % 2), i / 10, random(rnd, 5)));
        }
        List<FeatureVector> straight;
        try (var h = harness("sliding(20ms, 5ms)", 0)) {
            h.open();
            for (FeatureVector v : inputs) {
                h.processElement(v, v.timestamp());
                h.processWatermark(v.timestamp() - 1);
            }
            h.processWatermark(Long.MAX_VALUE);
            straight = h.extractOutputValues();
        }
        OperatorSubtaskState snapshot;
        List<FeatureVector> restored;
        try (var h = harness("sliding(20ms, 5ms)", 0)) {
            h.open();
            for (FeatureVector v : inputs.subList(0, 333)) {
                h.processElement(v, v.timestamp());
                h.processWatermark(v.timestamp() - 1);
            }
            restored = new ArrayList<>(h.extractOutputValues());
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness("sliding(20ms, 5ms)", 0)) {
            h.initializeState(snapshot);
            h.open();
            for (FeatureVector v : inputs.subList(333, 600)) {
                h.processElement(v, v.timestamp());
                h.processWatermark(v.timestamp() - 1);
            }
            h.processWatermark(Long.MAX_VALUE);
            restored.addAll(h.extractOutputValues());
        }
        assertThat(restored).isEqualTo(straight);
        assertEveryWindowIsTheBatchOfItsRecords(inputs, straight, 5);
    }

    @Test
    void normalizationsAndChainsInWindowsEqualTheBatchKernel() throws Exception {
        // dense sliding windows merge their slices' statistics (Chan's rule for batch_norm)
        for (String text :
                List.of(
                        "batch_norm",
                        "min_max",
                        "max_abs",
                        "layer_norm | batch_norm(eps=0.1) | gelu",
                        "normalize | softmax(temperature=2) | relu",
                        "softmax(groups=7) | max_abs")) {
            ActivationSpec spec = ActivationSpec.parse(text);
            for (String window : List.of("tumbling(10ms)", "sliding(12ms, 4ms)", "count(7)")) {
                SplittableRandom rnd = new SplittableRandom(text.hashCode() + window.hashCode());
                List<FeatureVector> inputs = new ArrayList<>();
                List<FeatureVector> outputs;
                try (var h = harness(spec, window, 0)) {
                    h.open();
                    for (int i = 0; i < 600; i++) {
                        float[] f = random(rnd, 14);
                        f[3] += 1e4f; // a feature far from 0: the means must not cancel
                        FeatureVector v = record("k" + (i % 2), i / 8, f);
                        inputs.add(v);
                        h.processElement(v, v.timestamp());
                        if (i % 8 == 7) {
                            h.processWatermark(v.timestamp() - 1);
                        }
                    }
                    h.processWatermark(Long.MAX_VALUE);
                    assertThat(h.getSideOutput(FeatureVectorActivations.DEAD_LETTERS)).isNull();
                    outputs = h.extractOutputValues();
                }
                // each window's records and outputs, in order
                List<List<FeatureVector>> members = new ArrayList<>();
                List<List<FeatureVector>> results = new ArrayList<>();
                if (window.startsWith("count")) {
                    for (String key : List.of("k0", "k1")) {
                        byte[] k = key.getBytes(StandardCharsets.UTF_8);
                        List<FeatureVector> in =
                                inputs.stream().filter(i -> Arrays.equals(i.key(), k)).toList();
                        List<FeatureVector> out =
                                outputs.stream().filter(o -> Arrays.equals(o.key(), k)).toList();
                        assertThat(out).hasSameSizeAs(in);
                        for (int from = 0; from < in.size(); from += 7) {
                            int to = Math.min(in.size(), from + 7);
                            members.add(in.subList(from, to));
                            results.add(out.subList(from, to));
                        }
                    }
                } else {
                    for (List<FeatureVector> outs : windows(outputs).values()) {
                        FeatureVector first = outs.get(0);
                        members.add(
                                inputs.stream()
                                        .filter(i -> Arrays.equals(i.key(), first.key()))
                                        .filter(
                                                i ->
                                                        i.timestamp() >= first.windowStart()
                                                                && i.timestamp()
                                                                        < first.windowEnd())
                                        .toList());
                        results.add(outs);
                    }
                }
                assertThat(members).as("%s over %s", text, window).hasSizeGreaterThan(10);
                for (int w = 0; w < members.size(); w++) {
                    assertWindowIsTheBatchKernel(
                            spec,
                            text + " over " + window + " #" + w,
                            members.get(w),
                            results.get(w));
                }
            }
        }
    }

    /** A window's outputs, in order, are the kernel of {@code spec} on its records as one batch. */
    private static void assertWindowIsTheBatchKernel(
            ActivationSpec spec,
            String what,
            List<FeatureVector> members,
            List<FeatureVector> outs) {
        assertThat(outs).as(what).hasSize(members.size());
        int d = members.get(0).features().length;
        int n = members.size();
        float[] batch = new float[n * d];
        float[] actual = new float[n * d];
        for (int r = 0; r < n; r++) {
            System.arraycopy(members.get(r).features(), 0, batch, r * d, d);
            System.arraycopy(outs.get(r).features(), 0, actual, r * d, d);
        }
        float[] expected = new float[batch.length];
        io.flinkactivations.core.Kernels.get()
                .kernel(spec)
                .applyAlongDim0(batch, 0, expected, 0, n, d);
        double[] reference = new double[expected.length];
        for (int i = 0; i < reference.length; i++) {
            reference[i] = expected[i];
        }
        assertThat(
                        GoldenRule.check(
                                what,
                                GoldenRule.Scale.AFFINE,
                                batch,
                                n,
                                d,
                                expected,
                                reference,
                                actual))
                .isNull();
    }

    @Test
    void runningBatchNormGivesPyTorchsBatchNorm1dAndSurvivesARestore() throws Exception {
        int checked = 0;
        for (io.flinkactivations.testutils.GoldenCase c :
                io.flinkactivations.testutils.GoldenCase.running()) {
            ActivationSpec spec = ActivationSpec.parse(c.spec());
            long size = WindowSpec.parse(c.window()).count();
            List<FeatureVector> inputs = new ArrayList<>();
            for (int r = 0; r < c.rows(); r++) {
                inputs.add(
                        record(
                                "k",
                                r,
                                Arrays.copyOfRange(c.input(), r * c.cols(), (r + 1) * c.cols())));
            }
            List<FeatureVector> outputs = new ArrayList<>();
            int half = c.rows() / 2;
            OperatorSubtaskState snapshot;
            try (var h = harness(spec, c.window(), 0)) {
                h.open();
                for (FeatureVector v : inputs.subList(0, half)) {
                    h.processElement(v, v.timestamp());
                }
                outputs.addAll(h.extractOutputValues());
                snapshot = h.snapshot(1, 1);
            }
            try (var h = harness(spec, c.window(), 0)) {
                h.initializeState(snapshot);
                h.open();
                for (FeatureVector v : inputs.subList(half, c.rows())) {
                    h.processElement(v, v.timestamp());
                }
                h.processWatermark(Long.MAX_VALUE); // flushes the last window: no more outputs
                assertThat(h.getSideOutput(FeatureVectorActivations.DEAD_LETTERS)).isNull();
                outputs.addAll(h.extractOutputValues());
            }
            assertThat(outputs).as(c.toString()).hasSize(c.rows());
            float[] actual = new float[c.input().length];
            for (int r = 0; r < c.rows(); r++) {
                FeatureVector o = outputs.get(r);
                assertThat(o.timestamp()).isEqualTo(r); // each record at once, in order
                long windowsBefore = size < 2 ? 0 : r / size;
                assertThat(o.windowCount()).as("windows seen").isEqualTo(windowsBefore);
                System.arraycopy(o.features(), 0, actual, r * c.cols(), c.cols());
            }
            assertThat(c.check(c + " over " + c.window(), actual)).isNull();
            checked++;
        }
        assertThat(checked).isEqualTo(8);
    }

    @Test
    void noSingleRecordsEventTimeMakesMoreThanThatRecordLate() throws Exception {
        long now = System.currentTimeMillis();
        long base = now - 600_000; // ten minutes ago: every good record is in the past
        // any time in the past, or beyond the hour ahead of the clock that the watermark may take
        // (a time within that hour is a record like any other, and moves time as any does)
        long[] hostile = {
            0, // 1970
            base - 86_400_000L, // yesterday
            now + 7_200_000L, // two hours ahead
            16_725_225_600_000L, // the year 2500
            io.flinkactivations.stream.EventTime.MAX // 9999-12-31
        };
        SplittableRandom rnd = new SplittableRandom(29);
        for (int trial = 0; trial < 24; trial++) {
            long bad =
                    trial < hostile.length
                            ? hostile[trial]
                            : rnd.nextBoolean()
                                    ? rnd.nextLong(0, base)
                                    : rnd.nextLong(
                                            now + 3_660_000L,
                                            io.flinkactivations.stream.EventTime.MAX);
            int at = rnd.nextInt(60);
            String window =
                    List.of("tumbling(1s)", "sliding(2s, 500ms)", "session(300ms)").get(trial % 3);
            WatermarkGenerator<FeatureVector> watermarks =
                    io.flinkactivations.stream.EventTime.ignoringFuture(
                                    org.apache.flink.api.common.eventtime.WatermarkStrategy
                                            .<FeatureVector>forBoundedOutOfOrderness(
                                                    java.time.Duration.ofMillis(200))
                                            .withTimestampAssigner((v, t) -> v.timestamp()),
                                    java.time.Duration.ofHours(1))
                            .createWatermarkGenerator(null);
            long[] current = {Long.MIN_VALUE};
            WatermarkOutput output =
                    new WatermarkOutput() {
                        @Override
                        public void emitWatermark(
                                org.apache.flink.api.common.eventtime.Watermark w) {
                            current[0] = Math.max(current[0], w.getTimestamp());
                        }

                        @Override
                        public void markIdle() {}

                        @Override
                        public void markActive() {}
                    };
            List<FeatureVector> inputs = new ArrayList<>();
            try (var h = harness(SOFTMAX, window, 0)) {
                h.open();
                long lastWatermark = Long.MIN_VALUE;
                for (int i = 0; i < 60; i++) {
                    long t =
                            i == at
                                    ? bad
                                    : base + i * 50L - rnd.nextInt(150); // < 200 ms out of order
                    FeatureVector v = record("k" + rnd.nextInt(2), t, random(rnd, 3));
                    inputs.add(v);
                    watermarks.onEvent(v, t, output);
                    h.processElement(v, t);
                    watermarks.onPeriodicEmit(output);
                    if (current[0] > lastWatermark) {
                        h.processWatermark(current[0]);
                        lastWatermark = current[0];
                    }
                }
                h.processWatermark(Long.MAX_VALUE);
                var dead = h.getSideOutput(FeatureVectorActivations.DEAD_LETTERS);
                List<FeatureVector> letters = new ArrayList<>();
                if (dead != null) {
                    dead.forEach(r -> letters.add(((StreamRecord<FeatureVector>) r).getValue()));
                }
                String what = window + ", record " + at + " at " + bad;
                assertThat(letters)
                        .as(what)
                        .allSatisfy(d -> assertThat(d.timestamp()).isEqualTo(bad));
                assertThat(letters).as(what).hasSizeLessThanOrEqualTo(1);
                long expectedReason =
                        io.flinkactivations.stream.EventTime.isAhead(bad, 3_600_000L) ? 1 : 0;
                assertThat(
                                letters.stream()
                                        .filter(
                                                d ->
                                                        d.badReason()
                                                                == BadRecordReason.FUTURE_TIMESTAMP)
                                        .count())
                        .as(what)
                        .isEqualTo(expectedReason);
                // every other record came out of its windows
                java.util.Set<String> expected = new java.util.HashSet<>();
                for (FeatureVector v : inputs) {
                    if (letters.isEmpty() || v.timestamp() != bad) {
                        expected.add(
                                new String(v.key(), StandardCharsets.UTF_8) + "@" + v.timestamp());
                    }
                }
                java.util.Set<String> out = new java.util.HashSet<>();
                for (FeatureVector o : h.extractOutputValues()) {
                    out.add(new String(o.key(), StandardCharsets.UTF_8) + "@" + o.timestamp());
                }
                assertThat(out).as(what).isEqualTo(expected);
            }
        }
    }

    @Test
    void largeWindowsGoInChunksAndEqualTheBatchKernel() throws Exception {
        // 30,000 x 7 floats: past the size normalised in one call, so in chunks of rows
        SplittableRandom rnd = new SplittableRandom(21);
        List<FeatureVector> inputs = new ArrayList<>();
        try (var h = harness("count(30000)", 0)) {
            h.open();
            for (int i = 0; i < 30_000; i++) {
                FeatureVector v = record("k", i, random(rnd, 7));
                inputs.add(v);
                h.processElement(v, i);
            }
            List<FeatureVector> out = h.extractOutputValues();
            assertThat(out).hasSize(30_000);
            assertEveryWindowIsTheBatchOfItsRecords(inputs, out, 7);
        }
    }

    @Test
    void largeTimeWindowsGoInChunksAndEqualTheBatchKernel() throws Exception {
        // 4,500 x 64 floats per window: normalised and emitted in chunks of 1,024 rows. The sliding
        // windows' slices (1,500 rows each) are read in chunks for their statistics, starting off a
        // chunk's boundary, and with out-of-order records no slice's rows are in time order.
        for (String window : List.of("tumbling(4500ms)", "sliding(4500ms, 1500ms)")) {
            SplittableRandom rnd = new SplittableRandom(window.hashCode());
            List<FeatureVector> inputs = new ArrayList<>();
            try (var h = harness(window, 0)) {
                h.open();
                for (int i = 0; i < 9_000; i++) {
                    long ts = Math.max(0, i - rnd.nextInt(4));
                    FeatureVector v = record("k", ts, random(rnd, 64));
                    inputs.add(v);
                    h.processElement(v, ts);
                    if (i % 100 == 0) {
                        h.processWatermark(i - 4);
                    }
                }
                h.processWatermark(Long.MAX_VALUE);
                List<FeatureVector> outputs = h.extractOutputValues();
                assertThat(outputs)
                        .as(window)
                        .hasSize(window.startsWith("tumbling") ? 9_000 : 3 * 9_000);
                assertEveryWindowIsTheBatchOfItsRecords(inputs, outputs, 64);
            }
        }
    }

    @Test
    void countWindowsFireEveryNRecordsAndAtTheEndOfInput() throws Exception {
        try (var h = harness("count(3)", 0)) {
            h.open();
            for (int i = 0; i < 7; i++) {
                h.processElement(record("k", 100 + i, new float[] {i}), 100 + i);
            }
            assertThat(h.extractOutputValues()).hasSize(6);
            h.processWatermark(Long.MAX_VALUE); // the end of input: the last, shorter batch
            List<FeatureVector> out = h.extractOutputValues();
            assertThat(out).hasSize(7);
            assertThat(out.get(6).windowCount()).isEqualTo(1);
            assertThat(out.get(6).features()).containsExactly(1f);
            assertThat(out.get(0).windowStart()).isEqualTo(100);
            assertThat(out.get(0).windowEnd()).isEqualTo(103);
        }
    }
}
