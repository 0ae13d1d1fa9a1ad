package io.flinkactivations.stream.internal;

import io.flinkactivations.core.Activation;
import io.flinkactivations.core.ActivationKernel;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.ColumnStatistics;
import io.flinkactivations.core.Kernels;
import io.flinkactivations.core.OnlineSoftmax;
import io.flinkactivations.core.RunningBatchNorm;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.stream.BadRecordReason;
import io.flinkactivations.stream.EventTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.apache.flink.annotation.Internal;

/**
 * Windows along dim 0, one key at a time, for any spec with one step along dim 0 (the softmax
 * family, batch_norm, min_max, max_abs, running_batch_norm) and per-record steps before or after
 * it: the one implementation of window assignment, slices and their cached statistics, session
 * merging, count windows and their flush at the end of the input, the dead-letter rules and allowed
 * lateness. The DataStream window operator (and so the job) and SQL's {@code WINDOWED_SOFTMAX} run
 * it over their own state, timers and outputs ({@link Store}, {@link Timers}, {@link Output});
 * given the same records, event times and watermarks they emit the same results, bit for bit.
 *
 * <p><b>Tumbling and sliding windows</b> are cut into <em>slices</em> of gcd(size, slide), as Flink
 * SQL's window aggregations are: a record is stored once, in its slice (the namespace is the
 * slice's end), and a window is the run of slices it covers. A sliding window whose slices hold
 * enough records is normalised from each slice's column statistics, computed once and cached with
 * the slice. Windows are aligned to the epoch and fire when the watermark passes their end; a timer
 * fires every window of the key that the watermark has passed, in one read of their slices (a
 * watermark that jumps passes many). A record that arrives within the allowed lateness after its
 * window fired fires it again; one too late for every window it belongs to is a dead letter ({@code
 * late}). Slices are dropped once the last window that covers them is past its lateness.
 *
 * <p><b>Session windows</b> are a gap of event time on either side of each record; a record that
 * bridges sessions merges them (their records move to the merged session's namespace, its start). A
 * session fires when the watermark passes its end, again for records that join it within the
 * allowed lateness, and is dropped after.
 *
 * <p><b>Count windows</b> fire every n records of a key and at the end of the input (the final
 * watermark), so the last, shorter batch is not lost. Their start and end are the first and last
 * stored event time (+1), or {@code Long.MIN_VALUE} when records are stored without one.
 *
 * <p><b>running_batch_norm</b> turns this around: each record comes out when it arrives, normalised
 * by its key's running statistics ({@link KeyState#running}), and a window that fires updates them
 * instead of emitting; a record too late for its windows has come out and updates none.
 *
 * <p>In front of all of this each key's first good record fixes its dimension; a record of another
 * one is a dead letter ({@code dimension-mismatch}), turned away once rather than once per window.
 * A time window needs a valid event time ({@code invalid-timestamp}).
 *
 * @param <R> the records as state keeps them
 */
@Internal
public final class WindowEngine<R> {
    /** The namespace of a count window's records (count windows have no slices). */
    public static final long COUNT_BATCH = 0L;

    /**
     * Below this many records per slice on average, a sliding window is normalised as one batch:
     * statistics per slice cost about one batch pass over each column, and merging them an exp per
     * column. (A tumbling window is one slice: its statistics would never be reused.)
     */
    private static final int MIN_ROWS_PER_SLICE = 8;

    /** What state keeps per key besides the records; a new key's is {@link #KeyState()}. */
    public static final class KeyState {
        /** The key's dimension, fixed by its first good record; -1 before. */
        public int dimension = -1;

        /** Count windows: the records in the open batch. */
        public long count;

        /** Time windows: the latest slice whose windows have their timers. */
        public long timedSlice = Long.MIN_VALUE;

        /** Time windows: every window ending at or before this has fired. */
        public long firedThrough = Long.MIN_VALUE;

        // the engine replaces these arrays and never writes into them: a store may keep them as
        // they are

        /** Time windows: the slices that hold records, ascending. */
        public long[] slices = new long[0];

        /** Session windows: the open sessions, start and end pairs, by start. */
        public long[] sessions = new long[0];

        /** running_batch_norm: the key's running statistics; null before its first window. */
        public double[] running;

        /** A new key's. */
        public KeyState() {}
    }

    /** Why a record is not in a window: its reason, and a message for a person. */
    public record Rejection(BadRecordReason reason, String message) {}

    /**
     * The state of the current key: its records by namespace (a slice's end, a session's start,
     * {@link #COUNT_BATCH}), their slices' statistics, and its {@link KeyState}.
     */
    public interface Store<R> {
        /** The key's state; a new {@link KeyState} for a new key. */
        KeyState keyState() throws Exception;

        /** Keeps the key's state (after the engine changed it). */
        void keyState(KeyState state) throws Exception;

        /** Adds a record to a namespace, after those there. */
        void add(long namespace, R record) throws Exception;

        /**
         * Hands the records of the first {@code n} of {@code namespaces} (ascending) to {@code
         * sink}, namespace by namespace in that order, each namespace's in the order added.
         */
        void read(long[] namespaces, int n, Records<R> sink) throws Exception;

        /** Drops the records and statistics of the first {@code n} of {@code namespaces}. */
        void clear(long[] namespaces, int n) throws Exception;

        /** Appends the records of namespace {@code from} to those of {@code to}, in their order. */
        void move(long from, long to) throws Exception;

        /** A slice's cached statistics ({@link ColumnStatistics#state()}), or null. */
        double[] statistics(long namespace) throws Exception;

        /**
         * Caches a slice's statistics (a store may also keep none, and they are computed again).
         * The engine never writes into the array.
         */
        void statistics(long namespace, double[] statistics) throws Exception;

        /** Drops a slice's cached statistics: a late record joined it. */
        void clearStatistics(long namespace) throws Exception;

        /** A stored record's features (not modified). */
        float[] features(R record);

        /** A stored record's event time, {@code Long.MIN_VALUE} when state keeps none. */
        long time(R record);
    }

    /** Receives records read from a {@link Store}. */
    @FunctionalInterface
    public interface Records<R> {
        /** One record and its namespace. */
        void accept(long namespace, R record);
    }

    /** The current key's event-time timers, by namespace and time. */
    public interface Timers {
        /** The current watermark; {@code Long.MIN_VALUE} before the first. */
        long watermark();

        /** Registers a timer; one registered twice fires once. */
        void register(long namespace, long time) throws Exception;

        /** Deletes a timer. */
        void delete(long namespace, long time) throws Exception;

        /** The time of a timer that fires at the end of a bounded input and not before. */
        long endOfInput();
    }

    /** Where a window's results go. */
    public interface Output<R> {
        /**
         * One record's result: its features normalised across the window (a fresh array), the
         * window's start and end (epoch ms, end exclusive; {@code Long.MIN_VALUE} both for a count
         * window without event times) and its record count.
         */
        void result(R record, float[] features, long start, long end, int count) throws Exception;

        /** The results' values, a chunk at a time, for metrics. */
        void values(float[] values, int off, int len, int rows);
    }

    private final WindowSpec window;
    private final long lateness;
    private final long maxAhead; // ms ahead of the processing clock an event time may be
    private final String lateMessage;
    private final Store<R> store;
    private final Timers timers;
    private final Output<R> output;
    private final ActivationSpec spec;
    private final ActivationSpec alongDim0; // the step along dim 0
    private final ActivationKernel kernel; // that step's
    private final ActivationKernel before; // the steps before it, on each record; or null
    private final ActivationKernel after; // the steps after it; or null
    private final RunningBatchNorm running; // when that step is running_batch_norm; else null
    private final long size; // ms; count windows: records
    private final long slide; // ms; session windows: the gap
    private final long sliceSize; // ms: gcd(size, slide)

    // reused between firings
    private final List<R> records = new ArrayList<>();
    private final List<Long> namespaces = new ArrayList<>();
    private long[] wanted = new long[16];
    private long[] ends = new long[16];
    private float[] chunk = new float[0];
    private ColumnStatistics statistics;
    private KeyState firing; // the key whose windows fire: running statistics update it

    /**
     * An engine for one window operator (one subtask); the store and timers are those of whatever
     * key is current when it is called.
     */
    public WindowEngine(
            ActivationSpec spec,
            WindowSpec window,
            long allowedLatenessMs,
            long maxAheadMs,
            String lateMessage,
            Store<R> store,
            Timers timers,
            Output<R> output) {
        this.spec = spec;
        List<ActivationSpec> steps = spec.steps();
        int k = spec.checkForWindow().alongDim0Step();
        this.alongDim0 = steps.get(k);
        this.running =
                alongDim0.activation() == Activation.RUNNING_BATCH_NORM
                        ? new RunningBatchNorm(alongDim0)
                        : null;
        this.kernel = Kernels.get().kernel(alongDim0);
        this.before =
                k == 0 ? null : Kernels.get().kernel(ActivationSpec.chain(steps.subList(0, k)));
        this.after =
                k == steps.size() - 1
                        ? null
                        : Kernels.get()
                                .kernel(ActivationSpec.chain(steps.subList(k + 1, steps.size())));
        this.window = window;
        this.lateness = allowedLatenessMs;
        this.maxAhead = maxAheadMs;
        this.lateMessage = lateMessage;
        this.store = store;
        this.timers = timers;
        this.output = output;
        switch (window.kind()) {
            case COUNT -> {
                size = window.count();
                slide = 0;
                sliceSize = 0;
            }
            case SESSION -> {
                size = 0;
                slide = window.size().toMillis();
                sliceSize = 0;
            }
            default -> {
                size = window.size().toMillis();
                slide = window.slide().toMillis();
                sliceSize = gcd(size, slide);
            }
        }
    }

    static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * Takes a record of the current key: {@code dimension} is its number of features (-1: it has
     * none), {@code eventTime} its event time ({@code Long.MIN_VALUE}: none), {@code stored} makes
     * what state keeps of it. Returns null when the record is in its windows (any that fire now
     * have emitted), else why not: the caller makes the dead letter.
     */
    public Rejection add(int dimension, long eventTime, Supplier<R> stored) throws Exception {
        if (dimension < 0) {
            return new Rejection(
                    BadRecordReason.MISSING_FEATURES,
                    "the record has no features (its reader gave null)");
        }
        if (dimension == 0) {
            return new Rejection(
                    BadRecordReason.EMPTY_VECTOR, "the record's feature vector is empty");
        }
        boolean timed = window.isTimeBased();
        if (timed && eventTime == Long.MIN_VALUE) {
            return new Rejection(
                    BadRecordReason.INVALID_TIMESTAMP,
                    "the record has no event time; time windows"
                            + " need timestamps: give the stream a WatermarkStrategy with a timestamp assigner");
        }
        if (timed && !EventTime.isValid(eventTime)) {
            return new Rejection(
                    BadRecordReason.INVALID_TIMESTAMP,
                    "the event time "
                            + eventTime
                            + " is not between 0 (1970-01-01) and "
                            + EventTime.MAX
                            + " (9999-12-31) epoch ms");
        }
        if (timed && EventTime.isAhead(eventTime, maxAhead)) {
            return new Rejection(
                    BadRecordReason.FUTURE_TIMESTAMP,
                    "the event time "
                            + java.time.Instant.ofEpochMilli(eventTime)
                            + " is more than "
                            + io.flinkactivations.core.SpecDuration.format(maxAhead)
                            + " ahead of this machine's clock; it would move the watermark past"
                            + " every record after it");
        }
        String unfit = spec.checkDimension(dimension); // a grouped softmax's groups
        if (unfit != null) {
            return new Rejection(BadRecordReason.DIMENSION_MISMATCH, unfit);
        }
        KeyState key = store.keyState();
        if (key.dimension < 0) {
            key.dimension = dimension;
            store.keyState(key);
        } else if (key.dimension != dimension) {
            return new Rejection(
                    BadRecordReason.DIMENSION_MISMATCH,
                    "the vector has "
                            + dimension
                            + " features; this key's windows have "
                            + key.dimension);
        }
        if (running != null) {
            // the record comes out at once, by the statistics its key's windows have left so far
            R record = stored.get();
            emitRunning(key, record);
            Rejection r = addToWindows(key, () -> record, eventTime);
            return r != null && r.reason() == BadRecordReason.LATE ? null : r; // it updates none
        }
        return addToWindows(key, stored, eventTime);
    }

    private Rejection addToWindows(KeyState key, Supplier<R> stored, long eventTime)
            throws Exception {
        return switch (window.kind()) {
            case COUNT -> addToCountBatch(key, stored.get());
            case SESSION -> addToSession(key, stored.get(), eventTime);
            default -> addToSlice(key, stored, eventTime);
        };
    }

    /**
     * running_batch_norm: one record's result now, by the key's running statistics: window bounds
     * {@code Long.MIN_VALUE}, the count the number of windows those statistics have seen.
     */
    private void emitRunning(KeyState key, R record) throws Exception {
        float[] x = store.features(record);
        int d = x.length;
        float[] y = Arrays.copyOf(x, d);
        if (before != null) {
            before.apply(y, 0, y, 0, d);
        }
        double[] state = key.running != null ? key.running : RunningBatchNorm.initialState(d);
        running.normalizeRows(state, y, 0, 1, d, y, 0);
        if (after != null) {
            after.apply(y, 0, y, 0, d);
        }
        output.values(y, 0, d, 1);
        output.result(
                record, y, Long.MIN_VALUE, Long.MIN_VALUE, (int) RunningBatchNorm.batches(state));
    }

    /** running_batch_norm: a fired window's statistics update the firing key's. */
    private void updateRunning(ColumnStatistics window) throws Exception {
        KeyState key = firing;
        double[] state =
                key.running != null
                        ? key.running
                        : RunningBatchNorm.initialState(window.dimension());
        key.running = running.update(state, window);
        store.keyState(key);
    }

    /**
     * The current key's timers at {@code time} fired, for timers that carry only their time: every
     * window whose timer that is. Without allowed lateness a time names one timer of a key: a
     * window's or session's end - 1, or the end of the input.
     */
    public void onTimer(long time) throws Exception {
        if (lateness > 0) {
            throw new IllegalStateException("timers without namespaces need no allowed lateness");
        }
        switch (window.kind()) {
            case COUNT -> fireCountBatch(store.keyState());
            case SESSION -> {
                long[] sessions = store.keyState().sessions;
                for (int i = 0; i < sessions.length; i += 2) {
                    if (sessions[i + 1] - 1 == time) {
                        onSessionTimer(sessions[i], time);
                        return;
                    }
                }
            }
            default -> onWindowTimer(time + 1, time);
        }
    }

    /** A timer of the current key fired. */
    public void onTimer(long namespace, long time) throws Exception {
        switch (window.kind()) {
            case COUNT -> fireCountBatch(store.keyState());
            case SESSION -> onSessionTimer(namespace, time);
            default -> onWindowTimer(namespace, time);
        }
    }

    // ---- count windows

    private Rejection addToCountBatch(KeyState key, R record) throws Exception {
        store.add(COUNT_BATCH, record);
        key.count++;
        if (key.count == 1) {
            timers.register(COUNT_BATCH, timers.endOfInput());
        }
        if (key.count >= size) {
            timers.delete(COUNT_BATCH, timers.endOfInput());
            fireCountBatch(key);
        } else {
            store.keyState(key);
        }
        return null;
    }

    private void fireCountBatch(KeyState key) throws Exception {
        firing = key;
        wanted[0] = COUNT_BATCH;
        load(1);
        store.clear(wanted, 1);
        key.count = 0;
        store.keyState(key);
        if (records.isEmpty()) {
            return;
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (R r : records) {
            long t = store.time(r);
            min = Math.min(min, t);
            max = Math.max(max, t);
        }
        if (max == Long.MIN_VALUE) { // records kept without their event time: no time bounds
            normalizeAndEmit(0, records.size(), Long.MIN_VALUE, Long.MIN_VALUE);
        } else {
            normalizeAndEmit(0, records.size(), min, max + 1);
        }
        records.clear();
        namespaces.clear();
    }

    // ---- tumbling and sliding windows

    private Rejection addToSlice(KeyState key, Supplier<R> stored, long ts) throws Exception {
        long watermark = timers.watermark();
        // the record's windows, aligned as Flink's assigners align them
        long firstEnd = window.firstWindowEnd(ts);
        long lastEnd = window.lastWindowEnd(ts);
        if (lastEnd - 1 + lateness <= watermark) {
            return new Rejection(BadRecordReason.LATE, lateMessage);
        }
        long slice = ts - Math.floorMod(ts, sliceSize) + sliceSize;
        store.add(slice, stored.get());
        boolean changed = false;
        int at = Arrays.binarySearch(key.slices, slice);
        if (at < 0) {
            key.slices = inserted(key.slices, -at - 1, slice);
            changed = true;
        }
        if (slice - 1 <= watermark) { // a late record: the slice's cached statistics are stale
            store.clearStatistics(slice);
        }
        boolean fresh = key.timedSlice != slice;
        if (fresh) {
            key.timedSlice = slice;
            changed = true;
        }
        if (changed) {
            store.keyState(key);
        }
        for (long end = firstEnd; end <= lastEnd; end += slide) {
            if (end - 1 + lateness <= watermark) {
                continue; // that window is gone
            }
            if (end - 1 <= watermark) { // fired already, within the allowed lateness: fire again
                timers.register(end, end - 1 + lateness);
                ends[0] = end;
                fireWindows(key, 1);
            } else if (fresh) {
                timers.register(end, end - 1);
                if (lateness > 0) {
                    timers.register(end, end - 1 + lateness);
                }
            }
        }
        return null;
    }

    private void onWindowTimer(long end, long time) throws Exception {
        KeyState key = store.keyState();
        long watermark = Math.max(timers.watermark(), time);
        if (time == end - 1 && end > key.firedThrough) {
            // every window of the key that the watermark has passed, from this one on
            int m = passedWindowEnds(key, end, watermark);
            fireWindows(key, m);
            key.firedThrough = watermark == Long.MAX_VALUE ? Long.MAX_VALUE : watermark + 1;
            dropPassedSlices(key, watermark);
            store.keyState(key);
        } else if (time == end - 1 + lateness && lateness > 0) {
            dropPassedSlices(key, watermark);
            store.keyState(key);
        }
    }

    /**
     * The ends of the windows from {@code first} on that hold records of the key and that the
     * watermark has passed, ascending, into {@link #ends}; returns how many.
     */
    private int passedWindowEnds(KeyState key, long first, long watermark) {
        int m = 0;
        for (long slice : key.slices) {
            if (slice <= first - size) {
                continue;
            }
            long e = Math.max(first, window.firstWindowEnd(slice - 1));
            for (long last = window.lastWindowEnd(slice - 1);
                    e <= last && e - 1 <= watermark;
                    e += slide) {
                if (m == ends.length) {
                    ends = Arrays.copyOf(ends, 2 * m);
                }
                ends[m++] = e;
            }
        }
        Arrays.sort(ends, 0, m);
        int unique = 0;
        for (int i = 0; i < m; i++) {
            if (unique == 0 || ends[unique - 1] != ends[i]) {
                ends[unique++] = ends[i];
            }
        }
        return unique;
    }

    /** Drops the slices that no window within its allowed lateness covers any more. */
    private void dropPassedSlices(KeyState key, long watermark) throws Exception {
        // slices ascend, and so do their last windows' ends: the passed ones come first
        int n = 0;
        for (long slice : key.slices) {
            if (window.lastWindowEnd(slice - 1) - 1 + lateness > watermark) {
                break;
            }
            n = want(n, slice);
        }
        if (n > 0) {
            store.clear(wanted, n);
            key.slices = Arrays.copyOfRange(key.slices, n, key.slices.length);
        }
    }

    /**
     * Fires the windows ending at the first {@code m} of {@link #ends} (ascending), from one read
     * of their slices, in order. A sliding window is normalised by its slices' statistics, each
     * computed once and cached; one whose slices hold a few records each, and every tumbling
     * window, as one batch.
     */
    private void fireWindows(KeyState key, int m) throws Exception {
        if (m == 0) {
            return;
        }
        firing = key;
        int n = 0;
        for (long slice : key.slices) {
            if (slice > ends[0] - size && slice <= ends[m - 1]) {
                n = want(n, slice);
            }
        }
        load(n);
        if (records.isEmpty()) {
            return;
        }
        int from = 0; // the first record of a slice inside the window, in the loaded run
        for (int w = 0; w < m; w++) {
            long end = ends[w];
            long start = end - size;
            while (from < records.size() && namespaces.get(from) <= start) {
                from++;
            }
            int to = from;
            int slices = 0;
            long previous = Long.MIN_VALUE;
            while (to < records.size() && namespaces.get(to) <= end) {
                if (namespaces.get(to) != previous) {
                    previous = namespaces.get(to);
                    slices++;
                }
                to++;
            }
            int rows = to - from;
            if (rows == 0) {
                continue;
            }
            if (slices == 1 || rows < MIN_ROWS_PER_SLICE * slices) {
                normalizeAndEmit(from, rows, start, end);
                continue;
            }
            ColumnStatistics total = emptyStatistics();
            for (int i = from; i < to; ) {
                long slice = namespaces.get(i);
                int j = i;
                while (j < to && namespaces.get(j) == slice) {
                    j++;
                }
                addSliceStatistics(slice, i, j - i, total);
                i = j;
            }
            emitNormalized(total, from, rows, start, end);
        }
        records.clear();
        namespaces.clear();
    }

    private static long[] inserted(long[] sorted, int at, long value) {
        long[] out = new long[sorted.length + 1];
        System.arraycopy(sorted, 0, out, 0, at);
        out[at] = value;
        System.arraycopy(sorted, at, out, at + 1, sorted.length - at);
        return out;
    }

    /**
     * Adds a slice's statistics to {@code total}: cached in state, else computed from its rows and
     * cached.
     */
    private void addSliceStatistics(long slice, int first, int n, ColumnStatistics total)
            throws Exception {
        double[] cached = store.statistics(slice);
        if (cached == null) {
            ColumnStatistics part = emptyStatistics(dimension());
            addStatistics(first, n, part);
            cached = part.state(); // a new array: heap state keeps it as it is
            store.statistics(slice, cached);
        }
        total.merge(cached, n);
    }

    // ---- session windows

    private Rejection addToSession(KeyState key, R record, long ts) throws Exception {
        long watermark = timers.watermark();
        long start = ts;
        long end = ts + slide;
        long[] sessions = key.sessions;
        // the sessions the record bridges, merged with its own
        int merged = 0;
        for (int i = 0; i < sessions.length; i += 2) {
            if (sessions[i] < end && start < sessions[i + 1]) {
                start = Math.min(start, sessions[i]);
                end = Math.max(end, sessions[i + 1]);
                merged++;
            }
        }
        if (end - 1 + lateness <= watermark) {
            return new Rejection(BadRecordReason.LATE, lateMessage);
        }
        long[] kept = new long[sessions.length - 2 * merged + 2];
        int k = 0;
        for (int i = 0; i < sessions.length; i += 2) {
            long s = sessions[i];
            long e = sessions[i + 1];
            if (s < end && start < e) {
                timers.delete(s, e - 1);
                if (lateness > 0) {
                    timers.delete(s, e - 1 + lateness);
                }
                if (s != start) {
                    store.move(s, start);
                }
            } else {
                kept[k++] = s;
                kept[k++] = e;
            }
        }
        kept[k++] = start;
        kept[k] = end;
        sortPairs(kept);
        key.sessions = kept;
        store.keyState(key);
        store.add(start, record);
        if (end - 1 <= watermark) { // fired already, within the allowed lateness: fire again
            timers.register(start, end - 1 + lateness);
            fireSession(key, start, end);
        } else {
            timers.register(start, end - 1);
            if (lateness > 0) {
                timers.register(start, end - 1 + lateness);
            }
        }
        return null;
    }

    private void onSessionTimer(long start, long time) throws Exception {
        KeyState key = store.keyState();
        long end = sessionEnd(key.sessions, start);
        if (end == Long.MIN_VALUE) {
            return; // merged into another session since
        }
        if (time == end - 1) {
            fireSession(key, start, end);
        }
        if (time == end - 1 + lateness) {
            wanted[0] = start;
            store.clear(wanted, 1);
            key.sessions = withoutSession(key.sessions, start);
            store.keyState(key);
        }
    }

    private void fireSession(KeyState key, long start, long end) throws Exception {
        firing = key;
        wanted[0] = start;
        load(1);
        if (!records.isEmpty()) {
            normalizeAndEmit(0, records.size(), start, end);
        }
        records.clear();
        namespaces.clear();
    }

    private static long sessionEnd(long[] sessions, long start) {
        for (int i = 0; i < sessions.length; i += 2) {
            if (sessions[i] == start) {
                return sessions[i + 1];
            }
        }
        return Long.MIN_VALUE;
    }

    private static long[] withoutSession(long[] sessions, long start) {
        long[] out = new long[Math.max(0, sessions.length - 2)];
        int k = 0;
        for (int i = 0; i < sessions.length; i += 2) {
            if (sessions[i] != start && k < out.length) {
                out[k++] = sessions[i];
                out[k++] = sessions[i + 1];
            }
        }
        return k == out.length ? out : Arrays.copyOf(out, k);
    }

    private static void sortPairs(long[] pairs) {
        for (int i = 2; i < pairs.length; i += 2) { // few sessions: insertion sort by start
            long s = pairs[i];
            long e = pairs[i + 1];
            int j = i - 2;
            while (j >= 0 && pairs[j] > s) {
                pairs[j + 2] = pairs[j];
                pairs[j + 3] = pairs[j + 1];
                j -= 2;
            }
            pairs[j + 2] = s;
            pairs[j + 3] = e;
        }
    }

    // ---- one window's records as an N x D batch

    private int want(int n, long namespace) {
        if (n == wanted.length) {
            wanted = Arrays.copyOf(wanted, 2 * n);
        }
        wanted[n] = namespace;
        return n + 1;
    }

    /** Reads the first {@code n} wanted namespaces' records into {@link #records}. */
    private void load(int n) throws Exception {
        records.clear();
        namespaces.clear();
        store.read(
                wanted,
                n,
                (namespace, r) -> {
                    records.add(r);
                    namespaces.add(namespace);
                });
    }

    private int dimension() {
        return records.isEmpty() ? 0 : store.features(records.get(0)).length;
    }

    /** Rows per chunk: as many whole rows as fit in the cached size, at least one. */
    private int chunkRows(int n) {
        int d = dimension();
        return d == 0 ? Math.max(1, n) : Math.max(1, OnlineSoftmax.CACHED_FLOATS / d);
    }

    /**
     * Copies rows [from, from + n) into the chunk buffer, from 0, with the steps before the one
     * along dim 0 applied.
     */
    private float[] copyRows(int from, int n) {
        int d = dimension();
        if (chunk.length < n * d) {
            chunk = new float[Math.min(records.size(), chunkRows(records.size())) * d];
            if (chunk.length < n * d) {
                chunk = new float[n * d];
            }
        }
        for (int r = 0; r < n; r++) {
            System.arraycopy(store.features(records.get(from + r)), 0, chunk, r * d, d);
        }
        if (before != null) {
            before.applyAlongDim0(chunk, 0, chunk, 0, n, d);
        }
        return chunk;
    }

    /** Adds the column statistics of rows [from, from + n) to {@code into}, a chunk at a time. */
    private void addStatistics(int from, int n, ColumnStatistics into) {
        int step = chunkRows(n);
        for (int r = from, end = from + n; r < end; r += step) {
            int m = Math.min(step, end - r);
            into.addRows(copyRows(r, m), 0, m);
        }
    }

    /**
     * Normalises rows [from, from + n) as one window and emits them: in one kernel call when they
     * fit in a chunk, else their statistics first, then chunk by chunk. The batch is never held as
     * one N x D array: a large window copied whole and walked four times (copy, statistics,
     * normalise, emit) leaves the cache.
     */
    private void normalizeAndEmit(int from, int n, long start, long end) throws Exception {
        int d = dimension();
        if (running == null && (long) n * d <= OnlineSoftmax.CACHED_FLOATS) {
            float[] batch = copyRows(from, n);
            kernel.applyAlongDim0(batch, 0, batch, 0, n, d);
            emitRows(from, 0, n, n, start, end);
            return;
        }
        ColumnStatistics all = emptyStatistics();
        addStatistics(from, n, all);
        emitNormalized(all, from, n, start, end);
    }

    /** Empty column statistics of this window's dimension; reused, so valid until the next call. */
    private ColumnStatistics emptyStatistics() {
        int d = dimension();
        if (statistics == null || statistics.dimension() != d) {
            statistics = emptyStatistics(d);
        }
        statistics.clear();
        return statistics;
    }

    private ColumnStatistics emptyStatistics(int d) {
        return ColumnStatistics.create(alongDim0, d);
    }

    /** Emits rows [from, from + n), normalised by {@code stats}, a chunk at a time. */
    private void emitNormalized(ColumnStatistics stats, int from, int n, long start, long end)
            throws Exception {
        if (running != null) { // its records came out as they arrived
            updateRunning(stats);
            return;
        }
        int step = chunkRows(n);
        for (int r = 0; r < n; r += step) {
            int m = Math.min(step, n - r);
            float[] rows = copyRows(from + r, m);
            stats.normalizeRows(rows, 0, m, rows, 0);
            emitRows(from + r, 0, m, n, start, end);
        }
    }

    /**
     * One result per record of rows [first, first + m), their features from the chunk after the
     * steps that follow the one along dim 0.
     */
    private void emitRows(int first, int chunkRow, int m, int count, long start, long end)
            throws Exception {
        int d = dimension();
        if (after != null) {
            after.applyAlongDim0(chunk, chunkRow * d, chunk, chunkRow * d, m, d);
        }
        output.values(chunk, chunkRow * d, m * d, m);
        for (int r = 0; r < m; r++) {
            int at = (chunkRow + r) * d;
            output.result(
                    records.get(first + r),
                    Arrays.copyOfRange(chunk, at, at + d),
                    start,
                    end,
                    count);
        }
    }

    @Override
    public String toString() {
        return spec + " over " + window;
    }
}
