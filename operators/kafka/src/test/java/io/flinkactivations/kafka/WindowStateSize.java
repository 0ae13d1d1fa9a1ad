package io.flinkactivations.kafka;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.format.JsonRecord;
import io.flinkactivations.stream.internal.SoftmaxWindowOperator;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Prints the windowed softmax operator's state per buffered record, from checkpoint snapshot sizes
 * (heap state backend): the snapshot with 2n records minus the one with n, over n. JSON records
 * look like {@code {"id":"r-123","ts":1700000000123,"features":[...]}}, and state keeps their
 * object without the array (for the output), so their overhead is larger than f32le's.
 *
 * <p>Run by {@code bin/benchmark}; alone: {@code java -cp benchmarks/target/benchmarks.jar
 * io.flinkactivations.stream.WindowStateSize}.
 */
public final class WindowStateSize {
    private WindowStateSize() {}

    public static void main(String[] args) throws Exception {
        System.out.println(
                "| window | format | D | raw float bytes | state bytes per record | state / raw |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        for (String window : new String[] {"tumbling(1h)", "sliding(1h, 6m)", "count(1000000)"}) {
            for (boolean json : new boolean[] {false, true}) {
                for (int d : new int[] {16, 64, 1024}) {
                    int n = d >= 1024 ? 300 : 1000; // in-memory snapshots are capped at 5 MB
                    double perRecord =
                            (snapshotBytes(window, 2 * n, d, json)
                                            - snapshotBytes(window, n, d, json))
                                    / (double) n;
                    System.out.printf(
                            Locale.ROOT,
                            "| %s | %s | %d | %d | %.1f | %.2fx |%n",
                            window,
                            json ? "json" : "f32le",
                            d,
                            4 * d,
                            perRecord,
                            perRecord / (4.0 * d));
                }
            }
        }
    }

    static long snapshotBytes(String window, int n, int d, boolean json) throws Exception {
        SplittableRandom rnd = new SplittableRandom(3);
        byte[] key = "sensor-1".getBytes(StandardCharsets.UTF_8);
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureVector, FeatureVector> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new SoftmaxWindowOperator<>(
                                ActivationSpec.parse("softmax"),
                                WindowSpec.parse(window),
                                0,
                                "late",
                                FeatureVectorModel.INSTANCE),
                        new RecordKey(),
                        Types.STRING)) {
            h.open();
            long t0 = 1_700_000_000_000L;
            for (int i = 0; i < n; i++) {
                float[] f = new float[d];
                for (int j = 0; j < d; j++) {
                    f[j] = (float) (rnd.nextGaussian() * 3);
                }
                FeatureVector v;
                if (json) {
                    StringBuilder sb =
                            new StringBuilder(
                                    "{\"id\":\"r-"
                                            + i
                                            + "\",\"ts\":"
                                            + (t0 + i)
                                            + ",\"features\":[");
                    for (int j = 0; j < d; j++) {
                        sb.append(j == 0 ? "" : ",").append(f[j]);
                    }
                    byte[] value = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
                    v =
                            FeatureVectors.json(
                                    key,
                                    value,
                                    JsonRecord.parse(value, 0, value.length),
                                    t0 + i,
                                    "in",
                                    0,
                                    i);
                } else {
                    v = FeatureVectors.f32le(key, f, t0 + i, "in", 0, i);
                }
                h.processElement(v, v.timestamp());
            }
            return h.snapshot(1, 1).getStateSize();
        }
    }
}
