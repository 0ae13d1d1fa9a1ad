package io.flinkactivations.benchmarks;

import io.flinkactivations.sql.ActivationsModule;
import io.flinkactivations.stream.Activations;
import io.flinkactivations.stream.Features;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.annotation.ArgumentHint;
import org.apache.flink.table.annotation.ArgumentTrait;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.types.Row;

/**
 * The SQL windowed softmax ({@code WINDOWED_SOFTMAX}, a process table function) against the
 * DataStream window operator on the same records, each as a whole job on a local Flink at
 * parallelism 1: N records of D floats over K keys, one record per millisecond, generated in the
 * job; event time from the records. The SQL job writes into a SQL sink ({@code blackhole}), as a
 * SQL pipeline does. Each path also runs without the window: the same source, shuffle by key and
 * sink, with the window replaced by a pass-through (the DataStream one an identity map, the SQL one
 * a process table function that passes each row on), and the table gives each window's cost per
 * record net of that.
 *
 * <pre>
 *   bin/bench-sql-window [--records N] [--dimension D] [--keys K] [--window SPEC] [--runs R]
 * </pre>
 */
@Internal
public final class WindowedSoftmaxSqlBenchmark {

    /** The records: a POJO both paths read. */
    public static class Reading {
        public String sensor;
        public long ts;
        public float[] features;

        public Reading() {}

        public Reading withFeatures(float[] f) {
            Reading r = new Reading();
            r.sensor = sensor;
            r.ts = ts;
            r.features = f;
            return r;
        }
    }

    /**
     * The SQL path's pass-through: a process table function partitioned by the key, as the window
     * is, that passes each row on (its columns through, and a constant).
     */
    public static class PassThrough extends ProcessTableFunction<Integer> {
        private static final long serialVersionUID = 1L;

        /** Passes the row on. */
        public void eval(
                @ArgumentHint({
                            ArgumentTrait.SET_SEMANTIC_TABLE,
                            ArgumentTrait.PASS_COLUMNS_THROUGH
                        })
                        Row input) {
            collect(0);
        }
    }

    static final class Generate implements MapFunction<Long, Reading> {
        private static final long serialVersionUID = 1L;
        private final int dimension;
        private final int keys;

        Generate(int dimension, int keys) {
            this.dimension = dimension;
            this.keys = keys;
        }

        @Override
        public Reading map(Long i) {
            SplittableRandom rnd = new SplittableRandom(i);
            Reading r = new Reading();
            r.sensor = "sensor-" + (i % keys);
            r.ts = 1_700_000_000_000L + i;
            r.features = new float[dimension];
            for (int j = 0; j < dimension; j++) {
                r.features[j] = (float) rnd.nextDouble(-6, 6);
            }
            return r;
        }
    }

    private final long records;
    private final int dimension;
    private final int keys;
    private final String window;

    WindowedSoftmaxSqlBenchmark(long records, int dimension, int keys, String window) {
        this.records = records;
        this.dimension = dimension;
        this.keys = keys;
        this.window = window;
    }

    StreamExecutionEnvironment env() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        return env;
    }

    DataStream<Reading> readings(StreamExecutionEnvironment env) {
        return env.fromSequence(0, records - 1)
                .map(new Generate(dimension, keys), Types.POJO(Reading.class))
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<Reading>forMonotonousTimestamps()
                                .withTimestampAssigner((r, t) -> r.ts));
    }

    /** The DataStream path, through the window or an identity map, after the shuffle by key. */
    long dataStream(boolean withWindow) throws Exception {
        StreamExecutionEnvironment env = env();
        DataStream<Reading> in = readings(env);
        DataStream<Reading> out =
                !withWindow
                        ? in.keyBy(r -> r.sensor).map(r -> r, Types.POJO(Reading.class))
                        : Activations.windowedSoftmax(
                                        in.keyBy(r -> r.sensor),
                                        Features.floats(r -> r.features),
                                        (r, f, w) -> r.withFeatures(f))
                                .activation("softmax")
                                .window(window)
                                .build()
                                .output();
        out.sinkTo(new DiscardingSink<>());
        return time(env, "datastream");
    }

    /**
     * The SQL path: the same stream as a table (its timestamps and watermarks), through the window
     * or the pass-through.
     */
    long sql(boolean withWindow) throws Exception {
        StreamExecutionEnvironment env = env();
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.loadModule("activations", ActivationsModule.INSTANCE);
        Table readings =
                tEnv.fromDataStream(
                        readings(env),
                        Schema.newBuilder()
                                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                                .watermark("rowtime", "SOURCE_WATERMARK()")
                                .build());
        tEnv.createTemporaryView("readings", readings);
        tEnv.createTemporarySystemFunction("PASS_THROUGH", PassThrough.class);
        // into a SQL sink (blackhole), as a SQL pipeline writes: no conversion back to Java objects
        Table out =
                tEnv.sqlQuery(
                        withWindow
                                ? "SELECT sensor, ts, features, window_start, window_end, window_count, dead_letter FROM WINDOWED_SOFTMAX("
                                        + "input => TABLE readings PARTITION BY sensor, window_spec => '"
                                        + window
                                        + "',"
                                        + " on_time => DESCRIPTOR(rowtime))"
                                : "SELECT sensor, ts, features FROM PASS_THROUGH("
                                        + "input => TABLE readings PARTITION BY sensor)");
        long t0 = System.nanoTime();
        out.executeInsert(TableDescriptor.forConnector("blackhole").build()).await();
        return System.nanoTime() - t0;
    }

    static long time(StreamExecutionEnvironment env, String name) throws Exception {
        long t0 = System.nanoTime();
        env.execute(name);
        return System.nanoTime() - t0;
    }

    interface Run {
        long run() throws Exception;
    }

    static long median(Run run, int runs) throws Exception {
        long[] t = new long[runs];
        for (int i = 0; i < runs; i++) {
            t[i] = run.run();
        }
        Arrays.sort(t);
        return t[runs / 2];
    }

    public static void main(String[] args) throws Exception {
        long records = 500_000;
        int dimension = 64;
        int keys = 100;
        int runs = 3;
        List<String> windows =
                new ArrayList<>(List.of("tumbling(1s)", "sliding(1s, 100ms)", "count(10)"));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            Consumer<String> bad =
                    m -> {
                        System.err.println("bench-sql-window: " + m);
                        System.exit(2);
                    };
            if (i + 1 >= args.length && !a.equals("--help")) {
                bad.accept(a + " needs a value");
            }
            switch (a) {
                case "--records" -> records = Long.parseLong(args[++i]);
                case "--dimension" -> dimension = Integer.parseInt(args[++i]);
                case "--keys" -> keys = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--window" -> windows = List.of(args[++i]);
                case "--help" -> {
                    System.out.println(
                            "bench-sql-window [--records N] [--dimension D] [--keys K] [--window SPEC] [--runs R]");
                    return;
                }
                default -> bad.accept("unknown option " + a + " (--help lists them)");
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%,d records of %d floats over %d keys, parallelism 1, median of %d runs (JDK %s)%n",
                records,
                dimension,
                keys,
                runs,
                Runtime.version().feature());
        System.out.printf(
                Locale.ROOT,
                "%-20s %22s %22s %9s %11s %11s%n",
                "window",
                "DataStream records/s",
                "SQL records/s",
                "SQL/DS",
                "DS ns/rec",
                "SQL ns/rec");
        for (String window : windows) {
            WindowedSoftmaxSqlBenchmark b =
                    new WindowedSoftmaxSqlBenchmark(records, dimension, keys, window);
            b.dataStream(true); // warm-up: JIT, classes
            b.sql(true);
            long dsBase = median(() -> b.dataStream(false), runs);
            long ds = median(() -> b.dataStream(true), runs);
            long sqlBase = median(() -> b.sql(false), runs);
            long sql = median(() -> b.sql(true), runs);
            System.out.printf(
                    Locale.ROOT,
                    "%-20s %,10.0f -> %,9.0f %,10.0f -> %,9.0f %8.2fx %11s %11s%n",
                    window,
                    rate(records, dsBase),
                    rate(records, ds),
                    rate(records, sqlBase),
                    rate(records, sql),
                    (double) sql / ds,
                    net(records, ds, dsBase),
                    net(records, sql, sqlBase));
        }
        System.out.println(
                "records/s: whole jobs with a pass-through -> with the window; SQL/DS: the SQL job's time over the DataStream job's"
                        + "; ns/rec: the window's time per record, net of the job without it"
                        + " (~0: within the noise)");
    }

    private static double rate(long records, long nanos) {
        return records / (nanos / 1e9);
    }

    private static String net(long records, long with, long without) {
        double ns = (with - without) / (double) records;
        return ns < 50 ? "~0" : String.format(Locale.ROOT, "%,.0f", ns);
    }
}
