package io.flinkactivations.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.stream.ActivationResult;
import io.flinkactivations.stream.Activations;
import io.flinkactivations.stream.DeadLetter;
import io.flinkactivations.stream.Features;
import io.flinkactivations.testutils.RandomCases;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The DataStream window operator and SQL's {@code WINDOWED_SOFTMAX} run one window engine: on the
 * same random stream (keys, dimensions, event times out of order within the watermark's slack,
 * watermarks as records pass, records without features, empty or of another dimension) for any of
 * the four window kinds, softmax, log_softmax or softmin at any temperature, the normalizations
 * along dim 0 and chains around them, they give every record the same features bit for bit, the
 * same window bounds and counts, and the same dead letters.
 */
class DataStreamAndSqlWindowsAgreeITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    /** A reading of the random stream: a Flink POJO. */
    public static class Reading {
        public String sensor;
        public int id;
        public long ts;
        public float[] features;

        public Reading() {}

        Reading(String sensor, int id, long ts, float[] features) {
            this.sensor = sensor;
            this.id = id;
            this.ts = ts;
            this.features = features;
        }
    }

    /** What came of a reading: one result per window, or a dead letter. */
    record Outcome(int id, Long start, Long end, Long count, float[] features, String deadLetter) {
        String window() {
            return id + " " + start + " " + end + " " + count + " " + deadLetter;
        }

        String bits() {
            StringBuilder b = new StringBuilder();
            if (features != null) {
                for (float f : features) {
                    b.append(Integer.toHexString(Float.floatToRawIntBits(f))).append(' ');
                }
            }
            return b.toString();
        }
    }

    static LongStream seeds() {
        return RandomCases.seeds(16);
    }

    @ParameterizedTest(name = RandomCases.NAME)
    @MethodSource("seeds")
    void theOperatorAndTheSqlFunctionAgreeBitForBit(long seed) throws Exception {
        RandomCases.check(
                seed,
                random -> {
                    String window = window(random);
                    String activation =
                            random.nextBoolean()
                                    ? RandomCases.oneOf(
                                                    random,
                                                    List.of("softmax", "log_softmax", "softmin"))
                                            + RandomCases.oneOf(
                                                    random,
                                                    List.of(
                                                            "",
                                                            "(temperature=0.5)",
                                                            "(temperature=2)"))
                                    : RandomCases.oneOf(
                                            random,
                                            List.of(
                                                    "batch_norm",
                                                    "min_max",
                                                    "max_abs",
                                                    "layer_norm | batch_norm(eps=0.1) | tanh",
                                                    "softmax(groups=2) | max_abs",
                                                    "running_batch_norm",
                                                    "relu | running_batch_norm(momentum=None)"));
                    long lag = 1 + random.nextInt(400);
                    int every = 1 + random.nextInt(5);
                    // a grouped softmax takes only dimensions that are a multiple of its groups:
                    // the readings' must be, or every record is a dead letter and nothing is
                    // compared
                    int groups = activation.contains("groups=2") ? 2 : 1;
                    List<Reading> readings = readings(random, lag, groups);
                    Map<String, Outcome> operator =
                            byWindow(dataStream(readings, lag, every, window, activation));
                    Map<String, Outcome> sql =
                            byWindow(sql(readings, lag, every, window, activation));
                    String what = window + " " + activation + ", lag " + lag + ", every " + every;
                    assertThat(sql.keySet()).as(what).isEqualTo(operator.keySet());
                    for (Map.Entry<String, Outcome> o : operator.entrySet()) {
                        assertThat(sql.get(o.getKey()).bits())
                                .as(what + ": " + o.getKey())
                                .isEqualTo(o.getValue().bits());
                    }
                    assertThat(operator.values().stream().filter(o -> o.deadLetter() == null))
                            .as(what + ": some results")
                            .isNotEmpty();
                });
    }

    private static String window(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> "tumbling(" + (200 + random.nextInt(1800)) + "ms)";
            case 1 -> {
                int slide = 50 + random.nextInt(400);
                yield "sliding(" + slide * (2 + random.nextInt(6)) + "ms, " + slide + "ms)";
            }
            case 2 -> "session(" + (100 + random.nextInt(900)) + "ms)";
            default -> "count(" + (1 + random.nextInt(9)) + ")";
        };
    }

    /**
     * Readings of 1 to 4 sensors, each of its own dimension, event times moving on with jitter but
     * never at or behind the watermark ({@code lag} behind the newest); some with no features, an
     * empty vector or another dimension.
     */
    /**
     * Readings of up to 4 sensors, each with its own dimension (up to 6, a multiple of {@code
     * groups}); about one in 40 has none, one an empty vector and one a dimension one too many.
     */
    private static List<Reading> readings(SplittableRandom random, long lag, int groups) {
        int sensors = 1 + random.nextInt(4);
        int[] dimension = new int[sensors];
        for (int s = 0; s < sensors; s++) {
            dimension[s] = groups * (1 + random.nextInt(6 / groups));
        }
        List<Reading> out = new ArrayList<>();
        int n = 20 + random.nextInt(120);
        long newest = 1_700_000_000_000L + random.nextInt(10_000);
        for (int i = 0; i < n; i++) {
            int s = random.nextInt(sensors);
            long ts = newest - random.nextLong(lag) + random.nextInt(250);
            newest = Math.max(newest, ts);
            float[] f;
            int kind = random.nextInt(40);
            if (kind == 0) {
                f = null;
            } else if (kind == 1) {
                f = new float[0];
            } else {
                f = new float[kind == 2 ? dimension[s] + 1 : dimension[s]];
                for (int j = 0; j < f.length; j++) {
                    f[j] = (float) (random.nextGaussian() * 4);
                }
            }
            out.add(new Reading("s" + s, i, ts, f));
        }
        return out;
    }

    /** A watermark of the newest event time less {@code lag}, after every {@code every} records. */
    private static WatermarkStrategy<Reading> watermarks(long lag, int every) {
        return WatermarkStrategy.<Reading>forGenerator(
                        c ->
                                new WatermarkGenerator<>() {
                                    private long newest = Long.MIN_VALUE;
                                    private long seen;

                                    @Override
                                    public void onEvent(
                                            Reading r, long timestamp, WatermarkOutput output) {
                                        newest = Math.max(newest, timestamp);
                                        if (++seen % every == 0) {
                                            output.emitWatermark(new Watermark(newest - lag));
                                        }
                                    }

                                    @Override
                                    public void onPeriodicEmit(WatermarkOutput output) {}
                                })
                .withTimestampAssigner((r, t) -> r.ts);
    }

    private static DataStream<Reading> source(
            StreamExecutionEnvironment env, List<Reading> readings, long lag, int every) {
        env.setParallelism(1);
        return env.fromData(Types.POJO(Reading.class), readings.toArray(Reading[]::new))
                .assignTimestampsAndWatermarks(watermarks(lag, every));
    }

    private static List<Outcome> dataStream(
            List<Reading> readings, long lag, int every, String window, String activation)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<Reading> in = source(env, readings, lag, every);
        TypeInformation<Row> row =
                Types.ROW(
                        Types.INT,
                        Types.LONG,
                        Types.LONG,
                        Types.LONG,
                        Types.OBJECT_ARRAY(Types.FLOAT),
                        Types.STRING);
        ActivationResult<Row, DeadLetter<Reading>> r =
                Activations.windowedSoftmax(
                                in.keyBy(x -> x.sensor),
                                Features.floats(x -> x.features),
                                (x, out, w) ->
                                        Row.of(
                                                x.id,
                                                w.hasTimeBounds() ? w.start() : null,
                                                w.hasTimeBounds() ? w.end() : null,
                                                (long) w.count(),
                                                boxed(out),
                                                null),
                                row)
                        .activation(activation)
                        .window(window)
                        .build();
        DataStream<Row> dead =
                r.deadLetters()
                        .map(d -> Row.of(d.record().id, null, null, null, null, d.reason().code()))
                        .returns(row);
        return outcomes(r.output().union(dead));
    }

    private static List<Outcome> sql(
            List<Reading> readings, long lag, int every, String window, String activation)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.loadModule(ActivationsModule.IDENTIFIER, ActivationsModule.INSTANCE);
        tables.createTemporaryView(
                "readings",
                tables.fromDataStream(
                        source(env, readings, lag, every),
                        Schema.newBuilder()
                                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                                .watermark("rowtime", "SOURCE_WATERMARK()")
                                .build()));
        List<Outcome> out = new ArrayList<>();
        try (CloseableIterator<Row> rows =
                tables.executeSql(
                                "SELECT id, window_start, window_end, window_count, features, dead_letter"
                                        + " FROM WINDOWED_SOFTMAX(input => TABLE readings PARTITION BY sensor,"
                                        + " window_spec => '"
                                        + window
                                        + "', activation => '"
                                        + activation
                                        + "', on_time => DESCRIPTOR(rowtime))")
                        .collect()) {
            while (rows.hasNext()) {
                Row r = rows.next();
                out.add(
                        new Outcome(
                                (Integer) r.getField(0),
                                millis(r.getField(1)),
                                millis(r.getField(2)),
                                (Long) r.getField(3),
                                r.getField(5) == null ? floats(r.getField(4)) : null,
                                (String) r.getField(5)));
            }
        }
        return out;
    }

    private static List<Outcome> outcomes(DataStream<Row> stream) throws Exception {
        List<Outcome> out = new ArrayList<>();
        try (CloseableIterator<Row> rows = stream.executeAndCollect()) {
            while (rows.hasNext()) {
                Row r = rows.next();
                out.add(
                        new Outcome(
                                (Integer) r.getField(0),
                                (Long) r.getField(1),
                                (Long) r.getField(2),
                                (Long) r.getField(3),
                                unboxed((Float[]) r.getField(4)),
                                (String) r.getField(5)));
            }
        }
        return out;
    }

    /** Outcomes by reading and window; a reading in the same window twice would show. */
    private static Map<String, Outcome> byWindow(List<Outcome> outcomes) {
        Map<String, Outcome> out = new TreeMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Outcome o : outcomes) {
            String key = o.window();
            int n = seen.merge(key, 1, Integer::sum);
            out.put(n == 1 ? key : key + " #" + n, o);
        }
        return out;
    }

    private static Long millis(Object instant) {
        return instant == null ? null : ((Instant) instant).toEpochMilli();
    }

    private static Float[] boxed(float[] f) {
        if (f == null) {
            return null;
        }
        Float[] b = new Float[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = f[i];
        }
        return b;
    }

    /** Features as a query hands them over: boxed numbers, or Flink's array data. */
    private static float[] floats(Object features) {
        if (features instanceof org.apache.flink.table.data.ArrayData a) {
            return a.toFloatArray();
        }
        Object[] boxed = (Object[]) features;
        float[] f = new float[boxed.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = ((Number) boxed[i]).floatValue();
        }
        return f;
    }

    private static float[] unboxed(Float[] b) {
        if (b == null) {
            return null;
        }
        float[] f = new float[b.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = b[i];
        }
        return f;
    }
}
