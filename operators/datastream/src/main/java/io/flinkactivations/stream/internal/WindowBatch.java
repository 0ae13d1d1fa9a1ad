package io.flinkactivations.stream.internal;

import io.flinkactivations.core.ActivationKernel;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import io.flinkactivations.core.OnlineSoftmax;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.Collector;

/**
 * One window's records as an N x D batch, normalised along dim 0 and emitted one output per record
 * with the window's start, end and count. Shared by the sliced window operator and the session
 * window function; reused from firing to firing. {@code key} is the model's result key.
 *
 * <p>The batch is never held as one N x D array. A window that fits in {@link
 * OnlineSoftmax#CACHED_FLOATS} floats is copied into a buffer of that size and normalised by the
 * batch kernel in one call; a larger one goes in chunks of rows of that size, twice: once for its
 * column statistics, once to normalise and emit each chunk while it is in cache. A whole window
 * copied into one array and walked four times (copy, statistics, normalise, emit) left the cache
 * past about 10,000 x 64 floats, and the operator's time per record rose 1.5-2x at 100,000 x 64
 * (25.6 MB of batch, besides the records themselves).
 */
@Internal
public final class WindowBatch<IN, OUT> {
    private final ActivationKernel kernel;
    private final RecordModel<IN, OUT, ?> model;
    private final List<IN> records = new ArrayList<>();
    private float[] chunk = new float[0];
    private int dimension;
    private OnlineSoftmax statistics; // scratch: the window's column statistics, per dimension

    WindowBatch(ActivationSpec spec, RecordModel<IN, OUT, ?> model) {
        this.kernel = Kernels.get().kernel(spec);
        this.model = model;
    }

    void clear() {
        records.clear();
    }

    /**
     * Appends records, all of one dimension (a key's dimension is checked on the way in); not
     * copied.
     */
    void append(Iterable<IN> more) {
        for (IN r : more) {
            records.add(r);
        }
        if (!records.isEmpty()) {
            dimension = model.dimension(records.get(0));
        }
    }

    int rows() {
        return records.size();
    }

    int dimension() {
        return dimension;
    }

    /** The earliest stored event time ({@code Long.MIN_VALUE} when state does not keep them). */
    long minTimestamp() {
        long min = Long.MAX_VALUE;
        for (IN r : records) {
            min = Math.min(min, model.storedTime(r));
        }
        return min;
    }

    /** The latest stored event time ({@code Long.MIN_VALUE} when state does not keep them). */
    long maxTimestamp() {
        long max = Long.MIN_VALUE;
        for (IN r : records) {
            max = Math.max(max, model.storedTime(r));
        }
        return max;
    }

    /** Rows per chunk: as many whole rows as fit in the cached size, at least one. */
    private int chunkRows() {
        return dimension == 0
                ? Math.max(1, records.size())
                : Math.max(1, OnlineSoftmax.CACHED_FLOATS / dimension);
    }

    /** Copies rows [from, from + n) into the chunk buffer, from 0. */
    private float[] load(int from, int n) {
        int d = dimension;
        if (chunk.length < n * d) {
            chunk = new float[Math.min(records.size(), chunkRows()) * d];
        }
        for (int r = 0; r < n; r++) {
            System.arraycopy(model.features(records.get(from + r)), 0, chunk, r * d, d);
        }
        return chunk;
    }

    /** Adds the column statistics of rows [from, from + n) to {@code into}, a chunk at a time. */
    void addStatistics(int from, int n, OnlineSoftmax into) {
        int step = chunkRows();
        for (int r = from, end = from + n; r < end; r += step) {
            int m = Math.min(step, end - r);
            into.addRows(load(r, m), 0, m);
        }
    }

    /**
     * Normalises the window as one batch and emits it, then clears: in one kernel call when it fits
     * in a chunk, else its statistics first, then chunk by chunk.
     */
    void normalizeAndEmit(
            Object key, long start, long end, ActivationMetrics metrics, Collector<OUT> out) {
        int n = records.size();
        int d = dimension;
        if ((long) n * d <= OnlineSoftmax.CACHED_FLOATS) {
            float[] batch = load(0, n);
            kernel.applyAlongDim0(batch, 0, batch, 0, n, d);
            emitRows(0, n, key, start, end, metrics, out);
            records.clear();
            return;
        }
        OnlineSoftmax all = emptyStatistics();
        addStatistics(0, n, all);
        emitNormalized(all, key, start, end, metrics, out);
    }

    /**
     * Empty column statistics of this window's dimension, to be filled (by {@link #addStatistics}
     * or merged parts) and passed to {@link #emitNormalized}; reused, so valid until the next call.
     */
    OnlineSoftmax emptyStatistics() {
        if (statistics == null || statistics.dimension() != dimension) {
            statistics = new OnlineSoftmax(kernel.spec(), dimension);
        }
        statistics.clear();
        return statistics;
    }

    /**
     * Emits every record normalised by {@code stats}, the column statistics of all of them, a chunk
     * at a time; then clears.
     */
    void emitNormalized(
            OnlineSoftmax stats,
            Object key,
            long start,
            long end,
            ActivationMetrics metrics,
            Collector<OUT> out) {
        int n = records.size();
        int step = chunkRows();
        for (int r = 0; r < n; r += step) {
            int m = Math.min(step, n - r);
            float[] rows = load(r, m);
            stats.normalizeRows(rows, 0, m, rows, 0);
            emitRows(r, m, key, start, end, metrics, out);
        }
        records.clear();
    }

    /** One output per record of rows [from, from + m), its features from the chunk buffer. */
    private void emitRows(
            int from,
            int m,
            Object key,
            long start,
            long end,
            ActivationMetrics metrics,
            Collector<OUT> out) {
        int d = dimension;
        int count = records.size();
        metrics.out(m, chunk, 0, m * d);
        for (int r = 0; r < m; r++) {
            out.collect(
                    model.windowResult(
                            key,
                            records.get(from + r),
                            Arrays.copyOfRange(chunk, r * d, (r + 1) * d),
                            start,
                            end,
                            count));
        }
    }
}
