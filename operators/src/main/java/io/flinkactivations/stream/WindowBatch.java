package io.flinkactivations.stream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.util.Collector;

/**
 * One window's records as an N x D row-major batch, reused from firing to firing: the records are
 * appended (features copied into the batch), the batch is normalised in place by the caller, and
 * {@link #emit} gives one output per record with the window's start, end and count. Shared by the
 * sliced window operator and the session window function.
 */
final class WindowBatch {
    private final List<FeatureVector> records = new ArrayList<>();
    private float[] values = new float[0];
    private int dimension;

    void clear() {
        records.clear();
    }

    /** Appends records, all of one dimension (a key's dimension is checked on the way in). */
    void append(Iterable<FeatureVector> more) {
        for (FeatureVector r : more) {
            dimension = r.dimension();
            int at = records.size() * dimension;
            if (values.length < at + dimension) {
                values = Arrays.copyOf(values, Math.max(at + dimension, values.length * 2));
            }
            System.arraycopy(r.features, 0, values, at, dimension);
            records.add(r);
        }
    }

    int rows() {
        return records.size();
    }

    int dimension() {
        return dimension;
    }

    /** The batch, row-major from 0: normalise it in place before {@link #emit}. */
    float[] values() {
        return values;
    }

    long minTimestamp() {
        long min = Long.MAX_VALUE;
        for (FeatureVector r : records) {
            min = Math.min(min, r.timestamp);
        }
        return min;
    }

    long maxTimestamp() {
        long max = Long.MIN_VALUE;
        for (FeatureVector r : records) {
            max = Math.max(max, r.timestamp);
        }
        return max;
    }

    /** One output per record: its features from the batch, the given key, the window; then clears. */
    void emit(byte[] key, long start, long end, ActivationMetrics metrics, Collector<FeatureVector> out) {
        int n = records.size();
        int d = dimension;
        for (int r = 0; r < n; r++) {
            FeatureVector o = records.get(r).copy();
            o.key = key;
            o.features = Arrays.copyOfRange(values, r * d, (r + 1) * d);
            o.windowStart = start;
            o.windowEnd = end;
            o.windowCount = n;
            metrics.out(o.features);
            out.collect(o);
        }
        records.clear();
    }
}
