package io.flinkactivations.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import io.flinkactivations.testutils.GoldenCase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** WINDOWED_SOFTMAX, the process table function, on a MiniCluster. */
class WindowedSoftmaxFunctionITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = new MiniClusterExtension();

    private StreamExecutionEnvironment env;
    private StreamTableEnvironment tables;

    @BeforeEach
    void setUp() {
        env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        tables = StreamTableEnvironment.create(env);
        tables.executeSql("LOAD MODULE activations");
    }

    /**
     * (key, id, ts, features); after each record the watermark is its time (punctuated), so
     * lateness is exact.
     */
    private void readings(Object[]... rows) {
        readings(0, rows);
    }

    /** As {@link #readings(Object[]...)}, the watermark {@code lag} ms behind the newest time. */
    private void readings(long lag, Object[]... rows) {
        readings(lag, 1, rows);
    }

    /**
     * As {@link #readings(long, Object[]...)}, a watermark after every {@code every} records only.
     */
    private void readings(long lag, int every, Object[]... rows) {
        List<Row> data = new ArrayList<>();
        for (Object[] r : rows) {
            data.add(Row.of(r));
        }
        DataStream<Row> stream =
                env.fromData(data)
                        .returns(
                                Types.ROW_NAMED(
                                        new String[] {"sensor", "id", "ts", "features"},
                                        Types.STRING,
                                        Types.STRING,
                                        Types.LONG,
                                        Types.OBJECT_ARRAY(Types.FLOAT)))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Row>forGenerator(c -> new EachRecord(lag, every))
                                        .withTimestampAssigner((r, t) -> (Long) r.getField("ts")));
        tables.createTemporaryView(
                "readings",
                tables.fromDataStream(
                        stream,
                        Schema.newBuilder()
                                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                                .watermark("rowtime", "SOURCE_WATERMARK()")
                                .build()));
    }

    /** A watermark at each record's time. */
    private static final class EachRecord implements WatermarkGenerator<Row> {
        private final long lag;
        private final int every;
        private long newest = Long.MIN_VALUE;
        private long seen;

        EachRecord(long lag, int every) {
            this.lag = lag;
            this.every = every;
        }

        @Override
        public void onEvent(Row event, long timestamp, WatermarkOutput output) {
            newest = Math.max(newest, timestamp);
            if (++seen % every == 0) {
                output.emitWatermark(new Watermark(newest - lag));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {}
    }

    private List<Row> query(String sql) throws Exception {
        List<Row> out = new ArrayList<>();
        try (CloseableIterator<Row> it = tables.executeSql(sql).collect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static Object[] f(float... v) {
        Float[] o = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = v[i];
        }
        return o;
    }

    private static float[] softmaxAlongDim0(float[][] rows) {
        int n = rows.length;
        int d = rows[0].length;
        float[] batch = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i], 0, batch, i * d, d);
        }
        Kernels.get()
                .kernel(ActivationSpec.parse("softmax"))
                .applyAlongDim0(batch, 0, batch, 0, n, d);
        return batch;
    }

    @Test
    void tumblingWindowsPerKey() throws Exception {
        readings(
                new Object[] {"a", "a1", 1_000L, f(1, 2)},
                new Object[] {"b", "b1", 2_000L, f(5, 5)},
                new Object[] {"a", "a2", 3_000L, f(3, 0)},
                new Object[] {"a", "a3", 12_000L, f(7, 7)});
        List<Row> out =
                query(
                        "SELECT * FROM WINDOWED_SOFTMAX(input => TABLE readings PARTITION BY sensor, "
                                + "window_spec => 'tumbling(10 s)', on_time => DESCRIPTOR(rowtime))");
        float[] a = softmaxAlongDim0(new float[][] {{1, 2}, {3, 0}});
        assertThat(out).hasSize(4);
        Row a1 = out.stream().filter(r -> "a1".equals(r.getField("id"))).findFirst().orElseThrow();
        assertThat((Object[]) a1.getField("features")).containsExactly(a[0], a[1]);
        assertThat(a1.getField("window_start")).isEqualTo(Instant.ofEpochMilli(0));
        assertThat(a1.getField("window_end")).isEqualTo(Instant.ofEpochMilli(10_000));
        assertThat(a1.getField("window_count")).isEqualTo(2L);
        assertThat(a1.getField("dead_letter")).isNull();
    }

    @Test
    void selectStarGoesIntoASinkWithTheWindowsTimeAsItsOnlyTimeAttribute() throws Exception {
        readings(
                new Object[] {"a", "a1", 1_000L, f(1, 2)},
                new Object[] {"a", "a2", 3_000L, f(3, 0)});
        String select =
                "SELECT * FROM WINDOWED_SOFTMAX(input => TABLE readings PARTITION BY sensor, "
                        + "window_spec => 'tumbling(10s)', on_time => DESCRIPTOR(rowtime))";
        // the input's own rowtime comes out as a plain timestamp, the window's rowtime is the
        // attribute
        org.apache.flink.table.api.Table t = tables.sqlQuery(select);
        assertThat(t.getResolvedSchema().getColumnNames())
                .containsExactly(
                        "sensor",
                        "id",
                        "ts",
                        "features",
                        "rowtime",
                        "window_start",
                        "window_end",
                        "window_count",
                        "dead_letter",
                        "rowtime0");
        assertThat(
                        t.getResolvedSchema()
                                .getColumnDataTypes()
                                .get(4)
                                .getLogicalType()
                                .asSummaryString())
                .isEqualTo("TIMESTAMP_LTZ(3)");
        List<Row> out = new ArrayList<>();
        try (CloseableIterator<Row> it =
                tables.toDataStream(t).executeAndCollect()) { // a sink: one time attribute
            it.forEachRemaining(out::add);
        }
        assertThat(out)
                .hasSize(2)
                .allSatisfy(r -> assertThat(r.getField("window_count")).isEqualTo(2L));
    }

    @Test
    void doubleFeaturesAreComputedInFloat32AndWidened() throws Exception {
        readings(
                new Object[] {"a", "a1", 1_000L, f(1, 2)},
                new Object[] {"a", "a2", 3_000L, f(3, 0)},
                new Object[] {"b", "b1", 3_500L, f(1, 2, 3)},
                new Object[] {"b", "b2", 3_600L, f(1)});
        tables.executeSql(
                "CREATE TEMPORARY VIEW doubles AS"
                        + " SELECT sensor, id, CAST(features AS ARRAY<DOUBLE>) AS features, rowtime FROM readings");
        Map<String, Row> out = new HashMap<>();
        query(
                        "SELECT * FROM WINDOWED_SOFTMAX(input => TABLE doubles PARTITION BY sensor, "
                                + "window_spec => 'tumbling(10s)', on_time => DESCRIPTOR(rowtime))")
                .forEach(r -> out.put((String) r.getField("id"), r));
        float[] a = softmaxAlongDim0(new float[][] {{1, 2}, {3, 0}});
        assertThat((Object[]) out.get("a1").getField("features"))
                .containsExactly((double) a[0], (double) a[1]);
        assertThat((Object[]) out.get("a2").getField("features"))
                .containsExactly((double) a[2], (double) a[3]);
        assertThat(out.get("b2").getField("dead_letter")).isEqualTo("dimension-mismatch");
        assertThat((Object[]) out.get("b2").getField("features"))
                .containsExactly(1.0); // as it came
    }

    @Test
    void everyGoldenWindowThroughSql() throws Exception {
        List<GoldenCase> windows = GoldenCase.all().stream().filter(GoldenCase::isWindow).toList();
        List<Object[]> rows = new ArrayList<>();
        for (int w = 0; w < windows.size(); w++) {
            GoldenCase c = windows.get(w);
            for (int r = 0; r < c.rows(); r++) {
                float[] v = Arrays.copyOfRange(c.input(), r * c.cols(), (r + 1) * c.cols());
                // one case, one key and one tumbling second
                rows.add(new Object[] {c.spec() + "#" + w, w + ":" + r, w * 1000L + r, f(v)});
            }
        }
        readings(rows.toArray(Object[][]::new));
        Set<String> specs = new LinkedHashSet<>(windows.stream().map(GoldenCase::spec).toList());
        int checked = 0;
        for (String spec : specs) {
            String view = "cases" + checked;
            tables.executeSql(
                    "CREATE TEMPORARY VIEW "
                            + view
                            + " AS SELECT * FROM readings WHERE sensor LIKE '"
                            + spec.replace("'", "''")
                            + "#%'");
            List<Row> out =
                    query(
                            "SELECT id, features FROM WINDOWED_SOFTMAX(input => TABLE "
                                    + view
                                    + " PARTITION BY sensor, window_spec => 'tumbling(1s)', activation => '"
                                    + spec
                                    + "', on_time => DESCRIPTOR(rowtime), uid => '"
                                    + view
                                    + "')");
            Map<String, Object[]> byId = new HashMap<>();
            out.forEach(r -> byId.put((String) r.getField(0), (Object[]) r.getField(1)));
            for (int w = 0; w < windows.size(); w++) {
                GoldenCase c = windows.get(w);
                if (!c.spec().equals(spec)) {
                    continue;
                }
                float[] actual = new float[c.input().length];
                for (int r = 0; r < c.rows(); r++) {
                    Object[] y = byId.get(w + ":" + r);
                    assertThat(y).as("output of %s row %d", c, r).isNotNull().hasSize(c.cols());
                    for (int j = 0; j < c.cols(); j++) {
                        actual[r * c.cols() + j] = (Float) y[j];
                    }
                }
                assertThat(c.check(c + " (WINDOWED_SOFTMAX)", actual)).isNull();
                checked++;
            }
        }
        assertThat(checked).isEqualTo(windows.size());
    }

    @Test
    void windowedNormalizeIsTheSameFunctionWithBatchNormByDefault() throws Exception {
        GoldenCase c =
                GoldenCase.all().stream()
                        .filter(g -> g.op().equals("batch_norm") && g.params().isEmpty())
                        .filter(g -> g.caseName().equals("window_17x5"))
                        .findFirst()
                        .orElseThrow();
        List<Object[]> rows = new ArrayList<>();
        for (int r = 0; r < c.rows(); r++) {
            float[] v = Arrays.copyOfRange(c.input(), r * c.cols(), (r + 1) * c.cols());
            rows.add(new Object[] {"g", "g:" + r, (long) r, f(v)});
        }
        readings(rows.toArray(Object[][]::new));
        Map<String, Object[]> byId = new HashMap<>();
        query(
                        "SELECT id, features FROM WINDOWED_NORMALIZE(input => TABLE readings PARTITION BY sensor,"
                                + " window_spec => 'count(17)')")
                .forEach(r -> byId.put((String) r.getField(0), (Object[]) r.getField(1)));
        float[] actual = new float[c.input().length];
        for (int r = 0; r < c.rows(); r++) {
            Object[] y = byId.get("g:" + r);
            assertThat(y).as("row %d", r).isNotNull();
            for (int j = 0; j < c.cols(); j++) {
                actual[r * c.cols() + j] = (Float) y[j];
            }
        }
        assertThat(c.check(c + " (WINDOWED_NORMALIZE)", actual)).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                tables.sqlQuery(
                                        "SELECT * FROM WINDOWED_NORMALIZE(input => TABLE readings"
                                                + " PARTITION BY sensor, window_spec => 'count(2)', activation => 'gelu')"))
                .hasStackTraceContaining("WINDOWED_NORMALIZE: gelu has no step along dim 0");
    }

    @Test
    void aWatermarkClauseThatIgnoresTheFarFutureKeepsTheRowsAfterIt() throws Exception {
        // docs/sql.md's clause: a row more than an hour ahead of the clock does not move the
        // watermark, so the rows after one from the year 2500 are not dropped as late
        long base = System.currentTimeMillis() / 10_000 * 10_000 - 600_000;
        List<Row> data = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            data.add(Row.of("s", "r" + i, base + i * 250L, new Float[] {(float) i, 1f}));
            if (i == 19) {
                data.add(Row.of("s", "future", 16_725_225_600_000L, new Float[] {1f, 2f}));
            }
        }
        DataStream<Row> stream =
                env.fromData(data)
                        .returns(
                                Types.ROW_NAMED(
                                        new String[] {"sensor", "id", "ts", "features"},
                                        Types.STRING,
                                        Types.STRING,
                                        Types.LONG,
                                        Types.OBJECT_ARRAY(Types.FLOAT)))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Row>noWatermarks()
                                        .withTimestampAssigner((r, t) -> (Long) r.getField("ts")));
        tables.createTemporaryView(
                "guarded",
                tables.fromDataStream(
                        stream,
                        Schema.newBuilder()
                                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                                .watermark(
                                        "rowtime",
                                        "CASE WHEN rowtime > CURRENT_TIMESTAMP + INTERVAL '1' HOUR"
                                                + " THEN NULL ELSE rowtime - INTERVAL '1' SECOND END")
                                .build()));
        List<Row> out =
                query(
                        "SELECT id FROM WINDOWED_SOFTMAX(input => TABLE guarded PARTITION BY sensor,"
                                + " window_spec => 'tumbling(10s)', on_time => DESCRIPTOR(rowtime))"
                                + " WHERE dead_letter IS NULL");
        Set<String> ids = new java.util.HashSet<>();
        out.forEach(r -> ids.add((String) r.getField(0)));
        for (int i = 0; i < 40; i++) {
            assertThat(ids).as("row r%d", i).contains("r" + i);
        }
    }

    @Test
    void runningBatchNormGivesPyTorchsBatchNorm1d() throws Exception {
        List<GoldenCase> cases = GoldenCase.running();
        List<Object[]> rows = new ArrayList<>();
        for (int w = 0; w < cases.size(); w++) {
            GoldenCase c = cases.get(w);
            for (int r = 0; r < c.rows(); r++) {
                float[] v = Arrays.copyOfRange(c.input(), r * c.cols(), (r + 1) * c.cols());
                rows.add(new Object[] {"case" + w, w + ":" + r, w * 1000L + r, f(v)});
            }
        }
        readings(rows.toArray(Object[][]::new));
        for (int w = 0; w < cases.size(); w++) {
            GoldenCase c = cases.get(w);
            List<Row> out =
                    query(
                            "SELECT id, features, window_start, window_count FROM WINDOWED_SOFTMAX("
                                    + "input => TABLE readings PARTITION BY sensor, window_spec => '"
                                    + c.window()
                                    + "', activation => '"
                                    + c.spec()
                                    + "', uid => 'running"
                                    + w
                                    + "') WHERE sensor = 'case"
                                    + w
                                    + "'");
            Map<String, Row> byId = new HashMap<>();
            out.forEach(r -> byId.put((String) r.getField(0), r));
            float[] actual = new float[c.input().length];
            long size = io.flinkactivations.core.WindowSpec.parse(c.window()).count();
            for (int r = 0; r < c.rows(); r++) {
                Row y = byId.get(w + ":" + r);
                assertThat(y).as("output of %s row %d", c, r).isNotNull();
                assertThat(y.getField(2)).as("no window bounds").isNull();
                assertThat(y.getField(3)).isEqualTo(size < 2 ? 0L : (long) (r / size));
                Object[] features = (Object[]) y.getField(1);
                for (int j = 0; j < c.cols(); j++) {
                    actual[r * c.cols() + j] = (Float) features[j];
                }
            }
            assertThat(c.check(c + " (WINDOWED_SOFTMAX)", actual)).isNull();
        }
    }

    /** Random readings of two keys, out of order by up to 3 s (some late), D = 3. */
    private static List<Object[]> randomReadings(long seed, int n) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = i * 500L - rnd.nextLong(3_000);
            rows.add(
                    new Object[] {
                        rnd.nextBoolean() ? "a" : "b",
                        "r" + i,
                        Math.max(0, t),
                        f(
                                (float) rnd.nextGaussian(),
                                (float) rnd.nextGaussian() * 3,
                                (float) rnd.nextGaussian() * 10)
                    });
        }
        return rows;
    }

    /**
     * What the windows give for rows in this order, the watermark at the newest time after each
     * row: "id@start" to the softmax of its features across the window's records; a row at or
     * behind the watermark is "id@dropped" (Flink drops it before the function sees it).
     */
    private static Map<String, float[]> reference(
            List<Object[]> rows, long size, long slide, int every) {
        Map<String, float[]> out = new HashMap<>();
        Map<String, java.util.TreeMap<Long, List<Object[]>>> open =
                new HashMap<>(); // key -> window start -> records
        long watermark = Long.MIN_VALUE;
        long newest = Long.MIN_VALUE;
        int seen = 0;
        for (Object[] r : rows) {
            String key = (String) r[0];
            long t = (Long) r[2];
            if (t <= watermark) {
                out.put(r[1] + "@dropped", null);
                continue;
            }
            for (long start = t - Math.floorMod(t, slide); start > t - size; start -= slide) {
                open.computeIfAbsent(key, k -> new java.util.TreeMap<>())
                        .computeIfAbsent(start, k -> new ArrayList<>())
                        .add(r);
            }
            newest = Math.max(newest, t);
            if (++seen % every == 0) {
                watermark = newest;
                fireUpTo(open, watermark, size, out);
            }
        }
        fireUpTo(open, Long.MAX_VALUE, size, out);
        return out;
    }

    private static void fireUpTo(
            Map<String, java.util.TreeMap<Long, List<Object[]>>> open,
            long watermark,
            long size,
            Map<String, float[]> out) {
        for (java.util.TreeMap<Long, List<Object[]>> windows : open.values()) {
            while (!windows.isEmpty() && windows.firstKey() + size - 1 <= watermark) {
                Map.Entry<Long, List<Object[]>> w = windows.pollFirstEntry();
                float[][] batch =
                        w.getValue().stream()
                                .map(r -> toFloats((Object[]) r[3]))
                                .toArray(float[][]::new);
                float[] y = softmaxAlongDim0(batch);
                for (int i = 0; i < batch.length; i++) {
                    out.put(
                            w.getValue().get(i)[1] + "@" + w.getKey(),
                            Arrays.copyOfRange(y, i * 3, i * 3 + 3));
                }
            }
        }
    }

    private static float[] toFloats(Object[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (Float) v[i];
        }
        return f;
    }

    private void checkAgainstReference(String window, long size, long slide, int every)
            throws Exception {
        List<Object[]> rows = randomReadings(window.hashCode(), 200);
        if (every > 1) { // in time order: nothing is dropped, and each watermark passes several
            // windows of a key
            rows.sort(java.util.Comparator.comparingLong(r -> (Long) r[2]));
            for (int i = 0; i < rows.size(); i++) {
                rows.get(i)[2] = i * 500L;
            }
        }
        readings(0, every, rows.toArray(Object[][]::new));
        Map<String, float[]> expected = reference(rows, size, slide, every);
        Map<String, float[]> actual = new HashMap<>();
        for (Row r :
                query(
                        "SELECT id, features, window_start, window_count, dead_letter FROM WINDOWED_SOFTMAX("
                                + "input => TABLE readings PARTITION BY sensor, window_spec => '"
                                + window
                                + "', on_time => DESCRIPTOR(rowtime))")) {
            assertThat(r.getField(4)).isNull();
            {
                String k = r.getField(0) + "@" + ((Instant) r.getField(2)).toEpochMilli();
                assertThat(actual.put(k, toFloats((Object[]) r.getField(1))))
                        .as("one output of %s", k)
                        .isNull();
            }
        }
        long dropped = expected.keySet().stream().filter(k -> k.endsWith("@dropped")).count();
        if (every == 1) {
            assertThat(dropped).as("rows behind the watermark").isPositive();
        }
        expected.keySet().removeIf(k -> k.endsWith("@dropped"));
        Set<String> missing = new java.util.TreeSet<>(expected.keySet());
        missing.removeAll(actual.keySet());
        Set<String> extra = new java.util.TreeSet<>(actual.keySet());
        extra.removeAll(expected.keySet());
        assertThat(missing).as("expected, not given (given, not expected: %s)", extra).isEmpty();
        assertThat(extra).as("given, not expected").isEmpty();
        // the kernels differ by path (vector here, scalar in the reference): within float32
        // rounding
        expected.forEach(
                (k, v) -> {
                    if (v != null) {
                        for (int j = 0; j < v.length; j++) {
                            assertThat(actual.get(k)[j])
                                    .as(k)
                                    .isCloseTo(
                                            v[j],
                                            org.assertj.core.data.Offset.offset(
                                                    1e-6f + 1e-5f * v[j]));
                        }
                    }
                });
    }

    @Test
    void tumblingWindowsWithRowsOutOfOrder() throws Exception {
        checkAgainstReference("tumbling(5s)", 5_000, 5_000, 1);
    }

    @Test
    void tumblingWindowsPassedAtOnceByAWatermarkThatJumps() throws Exception {
        checkAgainstReference("tumbling(5s)", 5_000, 5_000, 25); // a watermark every 25 records
    }

    @Test
    void slidingWindowsWithRowsOutOfOrder() throws Exception {
        checkAgainstReference("sliding(5s, 1s)", 5_000, 1_000, 1);
    }

    @Test
    void slidingWindowsPassedAtOnceByAWatermarkThatJumps() throws Exception {
        checkAgainstReference("sliding(5s, 1s)", 5_000, 1_000, 25);
    }

    @Test
    void sessionWindowsMergeAndClose() throws Exception {
        readings(
                5_000,
                new Object[] {"a", "a1", 0L, f(1)},
                new Object[] {"a", "a2", 1_000L, f(2)},
                new Object[] {"a", "a3", 10_000L, f(3)},
                new Object[] {"a", "a4", 14_000L, f(4)},
                new Object[] {"a", "a5", 12_000L, f(5)}, // bridges [10 s, 13 s) and [14 s, 17 s)
                new Object[] {"a", "a6", 30_000L, f(6)},
                new Object[] {
                    "a", "a7", 2_000L, f(7)
                }); // behind the watermark (25 s): Flink drops it
        Map<String, Row> out = new HashMap<>();
        query(
                        "SELECT id, features, window_start, window_end, window_count, dead_letter FROM WINDOWED_SOFTMAX("
                                + "input => TABLE readings PARTITION BY sensor, window_spec => 'session(3s)', on_time => DESCRIPTOR(rowtime))")
                .forEach(r -> out.put((String) r.getField(0), r));
        assertThat(out.get("a1").getField(4)).isEqualTo(2L);
        assertThat(out.get("a1").getField(2)).isEqualTo(Instant.ofEpochMilli(0));
        assertThat(out.get("a1").getField(3)).isEqualTo(Instant.ofEpochMilli(4_000));
        float[] first = softmaxAlongDim0(new float[][] {{1}, {2}});
        assertThat((Object[]) out.get("a2").getField(1)).containsExactly(first[1]);
        float[] merged = softmaxAlongDim0(new float[][] {{3}, {4}, {5}});
        assertThat(out.get("a4").getField(4)).isEqualTo(3L);
        assertThat(out.get("a4").getField(2)).isEqualTo(Instant.ofEpochMilli(10_000));
        assertThat(out.get("a4").getField(3)).isEqualTo(Instant.ofEpochMilli(17_000));
        assertThat((Object[]) out.get("a5").getField(1)).containsExactly(merged[2]);
        assertThat(out.get("a6").getField(4)).isEqualTo(1L);
        assertThat(out).hasSize(6).doesNotContainKey("a7");
    }

    @Test
    void countWindowsFireAtNRecordsAndAtTheEndOfTheInput() throws Exception {
        readings(
                new Object[] {"a", "a1", 0L, f(1, 0)},
                new Object[] {"a", "a2", 1L, f(2, 0)},
                new Object[] {"b", "b1", 2L, f(9, 9)},
                new Object[] {"a", "a3", 3L, f(3, 0)}, // a's first window of 2 was a1, a2
                new Object[] {"b", "b2", 4L, f(8, 8)});
        Map<String, Row> out = new HashMap<>();
        query(
                        "SELECT id, features, window_count FROM WINDOWED_SOFTMAX(input => TABLE readings PARTITION BY sensor, "
                                + "window_spec => 'count(2)', on_time => DESCRIPTOR(rowtime))")
                .forEach(r -> out.put((String) r.getField(0), r));
        assertThat(out).containsOnlyKeys("a1", "a2", "a3", "b1", "b2");
        assertThat(out.get("a3").getField(2)).isEqualTo(1L); // the end of the input closed it
        assertThat((Object[]) out.get("a3").getField(1)).containsExactly(1f, 1f);
        float[] b = softmaxAlongDim0(new float[][] {{9, 9}, {8, 8}});
        assertThat((Object[]) out.get("b2").getField(1)).containsExactly(b[2], b[3]);
    }

    @Test
    void badRecordsComeOutOnceAsDeadLetters() throws Exception {
        readings(
                new Object[] {"a", "ok", 0L, f(1, 2)},
                new Object[] {"a", "short", 1L, f(1)},
                new Object[] {"a", "none", 2L, null},
                new Object[] {"a", "empty", 3L, f()},
                new Object[] {"a", "hole", 4L, new Float[] {1f, null}});
        Map<String, Object> reasons = new HashMap<>();
        query(
                        "SELECT id, dead_letter FROM WINDOWED_SOFTMAX(input => TABLE readings PARTITION BY sensor, "
                                + "window_spec => 'tumbling(1s)', on_time => DESCRIPTOR(rowtime))")
                .forEach(r -> reasons.put((String) r.getField(0), r.getField(1)));
        assertThat(reasons)
                .containsEntry("ok", null)
                .containsEntry("short", "dimension-mismatch")
                .containsEntry("none", "missing-features")
                .containsEntry("empty", "empty-vector")
                .containsEntry("hole", "wrong-type")
                .hasSize(5);
    }

    @Test
    void registeredOnItsOwnWithCreateFunction() throws Exception {
        StreamTableEnvironment alone = StreamTableEnvironment.create(env); // no module
        tables = alone;
        readings(new Object[] {"a", "a1", 0L, f(1, 0)}, new Object[] {"a", "a2", 1L, f(0, 1)});
        alone.executeSql(
                "CREATE TEMPORARY FUNCTION windowed_softmax AS 'io.flinkactivations.sql.WindowedSoftmaxFunction'");
        List<Row> out =
                query(
                        "SELECT id, features, window_count FROM windowed_softmax(input => TABLE readings "
                                + "PARTITION BY sensor, window_spec => 'count(2)')");
        float[] y = softmaxAlongDim0(new float[][] {{1, 0}, {0, 1}});
        assertThat(out).hasSize(2);
        assertThat(
                        (Object[])
                                out.stream()
                                        .filter(r -> "a1".equals(r.getField(0)))
                                        .findFirst()
                                        .orElseThrow()
                                        .getField(1))
                .containsExactly(y[0], y[1]);
    }

    @Test
    void aWrongCallFailsWhenTheQueryIsPlanned() {
        readings(new Object[] {"a", "a1", 0L, f(1)});
        String call =
                "SELECT * FROM WINDOWED_SOFTMAX(input => TABLE readings PARTITION BY sensor, ";
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> tables.sqlQuery(call + "window_spec => 'tumbling(1s)')"))
                .hasStackTraceContaining(
                        "the tumbling window needs the time attribute: on_time => DESCRIPTOR(<time column>)");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                tables.sqlQuery(
                                        call + "window_spec => 'count(2)', activation => 'relu')"))
                .hasStackTraceContaining(
                        "WINDOWED_SOFTMAX: relu has no step along dim 0, so a window changes nothing");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                tables.sqlQuery(
                                        call
                                                + "window_spec => 'hopping(2s)', on_time => DESCRIPTOR(rowtime))"))
                .hasStackTraceContaining(
                        "valid windows: tumbling(size), sliding(size, slide), session(gap), count(n)");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                tables.sqlQuery(
                                        call + "window_spec => 'count(2)', features => 'values')"))
                .hasStackTraceContaining(
                        "the input has no column 'values' (its columns: sensor, id, ts, features, rowtime)");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                tables.sqlQuery(
                                        call + "window_spec => 'count(2)', features => 'id')"))
                .hasStackTraceContaining(
                        "column 'id' must be ARRAY<FLOAT> or ARRAY<DOUBLE>, not STRING");
    }
}
