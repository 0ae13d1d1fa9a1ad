package io.flinkactivations.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code WINDOWED_SOFTMAX} restored from a checkpoint: a job whose task fails once after a
 * checkpoint, and restarts from it, gives every record's result once and bit for bit as a job that
 * did not fail (its buffered records, its key's window state and its timers come back from the
 * checkpoint).
 */
class WindowedSoftmaxRestoreITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final int RECORDS = 30_000;
    private static final int KEYS = 7;
    private static final long START = 1_700_000_000_000L;

    // the failure, across the job's restart in this JVM
    private static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    /** Passes records on; fails once, at the first record after a checkpoint completed. */
    static final class FailOnceAfterACheckpoint extends RichMapFunction<Row, Row>
            implements CheckpointListener {
        private static final long serialVersionUID = 1L;
        private final boolean fail;

        FailOnceAfterACheckpoint(boolean fail) {
            this.fail = fail;
        }

        @Override
        public Row map(Row r) {
            if (fail && CHECKPOINTED.get() && !FAILED.getAndSet(true)) {
                throw new IllegalStateException("a failure the test brings about");
            }
            return r;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            // any checkpoint: from the first record on, records wait in windows
            CHECKPOINTED.set(true);
        }
    }

    private static Map<Long, float[]> run(String window, boolean fail) throws Exception {
        CHECKPOINTED.set(false);
        FAILED.set(false);
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ZERO);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(50);
        TypeInformation<Row> type =
                Types.ROW_NAMED(
                        new String[] {"id", "sensor", "ts", "features"},
                        Types.LONG,
                        Types.STRING,
                        Types.LONG,
                        Types.PRIMITIVE_ARRAY(Types.FLOAT));
        // a quarter of the records per checkpoint: checkpoints complete while records flow, so
        // the failure comes after one, however fast the machine
        GeneratorFunction<Long, Row> reading =
                i -> {
                    SplittableRandom rnd = new SplittableRandom(i);
                    float[] f = new float[3];
                    for (int j = 0; j < f.length; j++) {
                        f[j] = (float) rnd.nextDouble(-5, 5);
                    }
                    // a pause of 50 ms after every 1,000 records: sessions end
                    long ts = START + i + i / 1_000 * 50;
                    return Row.of(i, "s" + (i % KEYS), ts, f);
                };
        DataStream<Row> readings =
                env.fromSource(
                                new DataGeneratorSource<>(
                                        reading,
                                        RECORDS,
                                        RateLimiterStrategy.perCheckpoint(RECORDS / 4),
                                        type),
                                WatermarkStrategy.noWatermarks(),
                                "readings")
                        .map(new FailOnceAfterACheckpoint(fail), type)
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Row>forMonotonousTimestamps()
                                        .withTimestampAssigner((r, t) -> (Long) r.getField("ts")));
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.loadModule("activations", ActivationsModule.INSTANCE);
        tEnv.createTemporaryView(
                "readings",
                tEnv.fromDataStream(
                        readings,
                        Schema.newBuilder()
                                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                                .watermark("rowtime", "SOURCE_WATERMARK()")
                                .build()));
        Map<Long, float[]> results = new HashMap<>();
        try (CloseableIterator<Row> rows =
                tEnv.sqlQuery(
                                "SELECT id, features, window_count FROM WINDOWED_SOFTMAX("
                                        + "input => TABLE readings PARTITION BY sensor,"
                                        + " window_spec => '"
                                        + window
                                        + "', on_time => DESCRIPTOR(rowtime))"
                                        + " WHERE dead_letter IS NULL")
                        .execute()
                        .collect()) {
            while (rows.hasNext()) {
                Row r = rows.next();
                float[] before = results.put((Long) r.getField(0), floats(r.getField(1)));
                assertThat(before).as("record %s comes out once", r.getField(0)).isNull();
            }
        }
        return results;
    }

    private static float[] floats(Object values) {
        Object[] boxed = (Object[]) values;
        float[] f = new float[boxed.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (Float) boxed[i];
        }
        return f;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tumbling(100ms)", "session(20ms)", "count(5)"})
    void aJobRestoredFromACheckpointGivesTheResultsOfOneThatDidNotFail(String window)
            throws Exception {
        Map<Long, float[]> expected = run(window, false);
        Map<Long, float[]> restored = run(window, true);
        assertThat(FAILED).as("the job failed once and restarted").isTrue();
        assertThat(expected).hasSize(RECORDS);
        assertThat(restored).hasSize(RECORDS);
        for (Map.Entry<Long, float[]> e : expected.entrySet()) {
            assertThat(restored.get(e.getKey()))
                    .as("record %d", e.getKey())
                    .containsExactly(e.getValue());
        }
    }
}
