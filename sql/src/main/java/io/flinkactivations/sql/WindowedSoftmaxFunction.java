package io.flinkactivations.sql;

import io.flinkactivations.core.ActivationKernel;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.stream.BadRecordReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.dataview.ListView;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.table.functions.TableSemantics;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.table.types.inference.StateTypeStrategy;
import org.apache.flink.table.types.inference.StaticArgument;
import org.apache.flink.table.types.inference.StaticArgumentTrait;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.TimestampKind;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.utils.TypeConversions;
import org.apache.flink.types.Row;

/**
 * Softmax along dim 0 across each window's records, in SQL: a process table function.
 *
 * <pre>{@code
 * SELECT * FROM WINDOWED_SOFTMAX(
 *     input => TABLE readings PARTITION BY sensor,
 *     window_spec => 'tumbling(10s)',
 *     on_time => DESCRIPTOR(ts))
 * }</pre>
 *
 * <p>Arguments: {@code input}, a table partitioned by the key windows are per (the job's Kafka
 * key); {@code window}, {@code tumbling(size)}, {@code sliding(size, slide)}, {@code session(gap)}
 * or {@code count(n)}, the job's window specs; {@code activation}, {@code softmax} (default),
 * {@code log_softmax} or {@code softmin} with their parameters; {@code features}, the name of the
 * {@code ARRAY<FLOAT>} or {@code ARRAY<DOUBLE>} column (default {@code features}); {@code on_time},
 * the time attribute, required for time windows; {@code uid}, as for any stateful PTF.
 *
 * <p>Output: the partition keys, then every other input column with the features replaced by the
 * result, then {@code window_start} and {@code window_end} ({@code TIMESTAMP_LTZ(3)}, NULL for
 * count windows), {@code window_count} and {@code dead_letter}, and Flink's {@code rowtime} (the
 * window's last millisecond). Each record comes out once per window it falls in, or once with
 * {@code dead_letter} set and its features as they came: {@code dimension-mismatch} (another
 * dimension than the key's first record), {@code missing-features}, {@code empty-vector}, {@code
 * wrong-type} (a NULL element). As in the job, a count window also fires at the end of a bounded
 * input.
 *
 * <p>Late records differ from the job's: Flink 2.2 drops every row whose time is at or behind the
 * watermark before a process table function sees it (as its own window functions drop late rows),
 * so they cannot come out as dead letters here; the table's watermark delay ({@code WATERMARK FOR
 * ts AS ts - INTERVAL '5' SECOND}) is the slack. The job and the DataStream operator send late
 * records to their dead letters.
 */
@PublicEvolving
public class WindowedSoftmaxFunction extends ProcessTableFunction<Row> {
    private static final long serialVersionUID = 1L;

    public static final String NAME = "WINDOWED_SOFTMAX";

    private static final int ARG_WINDOW = 1;
    private static final int ARG_ACTIVATION = 2;
    private static final int ARG_FEATURES = 3;
    private static final String DEFAULT_FEATURES = "features";
    private static final String END_OF_INPUT = "end";

    // state rows are read by position: meta, a buffered record, a session
    private static final int M_WINDOW = 0;
    private static final int M_ACTIVATION = 1;
    private static final int M_FEATURES = 2;
    private static final int M_DIM = 3;
    private static final int M_N = 4;
    private static final int M_SESSIONS = 5;
    private static final int M_TIMED = 6;
    private static final int B_TIME = 0;
    private static final int B_RECORD = 1;
    private static final int S_START = 0;
    private static final int S_END = 1;

    private transient Plan plan;

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        LinkedHashMap<String, StateTypeStrategy> state = new LinkedHashMap<>();
        // every buffered record with its event time (records of fired windows are removed)
        state.put(
                "buffer",
                StateTypeStrategy.of(
                        call ->
                                Optional.of(
                                        ListView.newListViewDataType(
                                                DataTypes.ROW(
                                                                DataTypes.FIELD(
                                                                        "t", DataTypes.BIGINT()),
                                                                DataTypes.FIELD(
                                                                        "r",
                                                                        table(call).dataType()))
                                                        .bridgedTo(Row.class)))));
        // the call's arguments (timers get none), the key's dimension, the count window's fill, the
        // open
        // sessions, the last window end of the latest slide-long slice whose windows have timers
        state.put(
                "meta",
                StateTypeStrategy.of(
                        call ->
                                Optional.of(
                                        DataTypes.ROW(
                                                        DataTypes.FIELD(
                                                                "window", DataTypes.STRING()),
                                                        DataTypes.FIELD(
                                                                "activation", DataTypes.STRING()),
                                                        DataTypes.FIELD(
                                                                "features", DataTypes.STRING()),
                                                        DataTypes.FIELD("dim", DataTypes.INT()),
                                                        DataTypes.FIELD("n", DataTypes.BIGINT()),
                                                        DataTypes.FIELD(
                                                                "sessions",
                                                                DataTypes.ARRAY(
                                                                        DataTypes.ROW(
                                                                                DataTypes.FIELD(
                                                                                        "s",
                                                                                        DataTypes
                                                                                                .BIGINT()),
                                                                                DataTypes.FIELD(
                                                                                        "e",
                                                                                        DataTypes
                                                                                                .BIGINT())))),
                                                        DataTypes.FIELD(
                                                                "timed", DataTypes.BIGINT()))
                                                .bridgedTo(Row.class))));
        return TypeInference.newBuilder()
                .staticArguments(
                        StaticArgument.table(
                                "input",
                                Row.class,
                                false,
                                EnumSet.of(
                                        StaticArgumentTrait.TABLE,
                                        StaticArgumentTrait.SET_SEMANTIC_TABLE)),
                        StaticArgument.scalar("window_spec", DataTypes.STRING(), false),
                        StaticArgument.scalar("activation", DataTypes.STRING(), true),
                        StaticArgument.scalar("features", DataTypes.STRING(), true))
                .stateTypeStrategies(state)
                .outputTypeStrategy(call -> Optional.of(Plan.of(call).outputType))
                .build();
    }

    private static TableSemantics table(CallContext call) {
        return call.getTableSemantics(0)
                .orElseThrow(
                        () ->
                                new ValidationException(
                                        NAME
                                                + ": input must be a table: input => TABLE t PARTITION BY key"));
    }

    /**
     * What a call means, checked when the query is planned; rebuilt at run time from the same
     * arguments.
     */
    private static final class Plan {
        final WindowSpec window;
        final ActivationSpec activation;
        final int featuresIndex;
        final boolean doubles;
        final int[] outputColumns; // input columns in the output: all but the partition keys
        final DataType outputType;

        private Plan(
                WindowSpec window,
                ActivationSpec activation,
                DataType inputType,
                int[] keys,
                String features,
                boolean hasTime) {
            this.window = window;
            this.activation = activation;
            if (!activation.activation().isNormalizing()) {
                throw new ValidationException(
                        NAME
                                + " normalises along dim 0 across a window's records: the activation must be"
                                + " softmax, log_softmax or softmin, not "
                                + activation.canonical());
            }
            if (window.isTimeBased() && !hasTime) {
                throw new ValidationException(
                        NAME
                                + ": the "
                                + window.kind().specName()
                                + " window needs the time attribute: "
                                + "on_time => DESCRIPTOR(<time column>)");
            }
            List<String> names = DataType.getFieldNames(inputType);
            List<DataType> types = DataType.getFieldDataTypes(inputType);
            this.featuresIndex = names.indexOf(features);
            if (featuresIndex < 0) {
                throw new ValidationException(
                        NAME
                                + ": the input has no column '"
                                + features
                                + "' (its columns: "
                                + String.join(", ", names)
                                + "); name the features column with features => '<column>'");
            }
            DataType f = types.get(featuresIndex);
            LogicalTypeRoot element = ArrayActivationFunction.elementType(f);
            if (element != LogicalTypeRoot.FLOAT && element != LogicalTypeRoot.DOUBLE) {
                throw new ValidationException(
                        NAME
                                + ": column '"
                                + features
                                + "' must be ARRAY<FLOAT> or ARRAY<DOUBLE>, not "
                                + f.getLogicalType().asSummaryString());
            }
            this.doubles = element == LogicalTypeRoot.DOUBLE;
            List<Integer> out = new ArrayList<>();
            List<DataTypes.Field> fields = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                final int column = i;
                if (Arrays.stream(keys).noneMatch(k -> k == column)) {
                    out.add(i);
                    // the features out as Flink's own array data: a primitive array, not one boxed
                    // number per element
                    fields.add(
                            DataTypes.FIELD(
                                    names.get(i),
                                    i == featuresIndex
                                            ? f.nullable().bridgedTo(ArrayData.class)
                                            : plainTime(types.get(i))));
                }
            }
            fields.add(DataTypes.FIELD("window_start", DataTypes.TIMESTAMP_LTZ(3)));
            fields.add(DataTypes.FIELD("window_end", DataTypes.TIMESTAMP_LTZ(3)));
            fields.add(DataTypes.FIELD("window_count", DataTypes.BIGINT()));
            fields.add(DataTypes.FIELD("dead_letter", DataTypes.STRING()));
            this.outputColumns = out.stream().mapToInt(Integer::intValue).toArray();
            this.outputType = DataTypes.ROW(fields).bridgedTo(Row.class);
        }

        /**
         * An input time attribute as a plain timestamp: the output's time attribute is the window's
         * ({@code rowtime}), and a query with two cannot be written to a sink ({@code SELECT *}).
         */
        static DataType plainTime(DataType t) {
            LogicalType l = t.getLogicalType();
            if (l instanceof LocalZonedTimestampType z && z.getKind() != TimestampKind.REGULAR) {
                return TypeConversions.fromLogicalToDataType(
                        new LocalZonedTimestampType(
                                z.isNullable(), TimestampKind.REGULAR, z.getPrecision()));
            }
            if (l instanceof TimestampType z && z.getKind() != TimestampKind.REGULAR) {
                return TypeConversions.fromLogicalToDataType(
                        new TimestampType(z.isNullable(), TimestampKind.REGULAR, z.getPrecision()));
            }
            return t;
        }

        static Plan of(CallContext call) {
            TableSemantics t = table(call);
            String window =
                    call.getArgumentValue(ARG_WINDOW, String.class)
                            .orElseThrow(
                                    () ->
                                            new ValidationException(
                                                    NAME
                                                            + ": window must be a string literal, e.g. window_spec => 'tumbling(10s)'"));
            String activation =
                    call.isArgumentNull(ARG_ACTIVATION)
                            ? "softmax"
                            : call.getArgumentValue(ARG_ACTIVATION, String.class)
                                    .orElseThrow(
                                            () ->
                                                    new ValidationException(
                                                            NAME
                                                                    + ": activation must be a string literal, e.g. activation => 'softmax(temperature=2)'"));
            String features =
                    call.isArgumentNull(ARG_FEATURES)
                            ? DEFAULT_FEATURES
                            : call.getArgumentValue(ARG_FEATURES, String.class)
                                    .orElseThrow(
                                            () ->
                                                    new ValidationException(
                                                            NAME
                                                                    + ": features must be a string literal naming a column"));
            // on_time follows the declared arguments; the table's semantics know of it only at run
            // time
            boolean onTime =
                    call.getArgumentDataTypes().size() > ARG_FEATURES + 1
                            && !call.isArgumentNull(ARG_FEATURES + 1);
            return of(window, activation, features, t, onTime || t.timeColumn() >= 0);
        }

        static Plan of(
                String window,
                String activation,
                String features,
                TableSemantics t,
                boolean hasTime) {
            WindowSpec w;
            ActivationSpec a;
            try {
                w = WindowSpec.parse(window);
                a = ActivationSpec.parse(activation);
            } catch (IllegalArgumentException e) {
                throw new ValidationException(NAME + ": " + e.getMessage(), e);
            }
            return new Plan(
                    w,
                    a,
                    t.dataType(),
                    t.partitionByColumns(),
                    features == null ? DEFAULT_FEATURES : features,
                    hasTime);
        }
    }

    private transient ActivationKernel kernel;

    /**
     * The call's plan, from its arguments; kept in state for the timers, which get no arguments.
     */
    private Plan plan(Context ctx, Row meta, String window, String activation, String features) {
        if (window
                != null) { // a call (a timer has no arguments): this query's arguments win over a
            // restored state's
            meta.setField(M_WINDOW, window);
            meta.setField(M_ACTIVATION, activation == null ? "softmax" : activation);
            meta.setField(M_FEATURES, features == null ? DEFAULT_FEATURES : features);
        }
        if (plan == null) {
            plan =
                    Plan.of(
                            (String) meta.getField(M_WINDOW),
                            (String) meta.getField(M_ACTIVATION),
                            (String) meta.getField(M_FEATURES),
                            ctx.tableSemanticsFor("input"),
                            true); // checked when planned
            kernel = Kernels.get().kernel(plan.activation);
        }
        return plan;
    }

    public void eval(
            Context ctx,
            ListView<Row> buffer,
            Row meta,
            Row input,
            String window,
            String activation,
            String features)
            throws Exception {
        Plan p = plan(ctx, meta, window, activation, features);
        Object[] values = (Object[]) input.getField(p.featuresIndex);
        BadRecordReason bad =
                values == null
                        ? BadRecordReason.MISSING_FEATURES
                        : values.length == 0 ? BadRecordReason.EMPTY_VECTOR : null;
        for (int i = 0; bad == null && i < values.length; i++) {
            bad = values[i] == null ? BadRecordReason.WRONG_TYPE : null;
        }
        if (bad == null) {
            Integer dim = (Integer) meta.getField(M_DIM);
            if (dim == null) {
                meta.setField(M_DIM, values.length);
            } else if (dim != values.length) {
                bad = BadRecordReason.DIMENSION_MISMATCH;
            }
        }
        if (bad != null) {
            collect(
                    output(
                            p,
                            input,
                            values == null ? null : new GenericArrayData(values),
                            null,
                            null,
                            null,
                            bad.code()));
            return;
        }
        if (!p.window.isTimeBased()) {
            buffer.add(Row.of(0L, input));
            long n = meta.getField(M_N) == null ? 1 : (Long) meta.getField(M_N) + 1;
            if (n == p.window.count()) {
                fire(p, buffer.get(), null, null);
                buffer.clear();
                n = 0;
            } else if (n == 1) {
                // fires when a bounded input ends (its last watermark), with or without a time
                // attribute;
                // once per batch: it stays registered until then
                ctx.timeContext(Long.class).registerOnTime(END_OF_INPUT, Long.MAX_VALUE - 1);
            }
            meta.setField(M_N, n);
            return;
        }
        TimeContext<Long> time = ctx.timeContext(Long.class);
        long t = time.time();
        if (p.window.kind() == WindowSpec.Kind.SESSION) {
            session(time, buffer, meta, input, t, p.window.size().toMillis());
            return;
        }
        // Flink hands over only rows ahead of the watermark, so each of the row's windows is still
        // open;
        // the rows of one slide-long slice share their windows, whose timers the slice's first row
        // set
        long lastEnd = p.window.lastWindowEnd(t);
        Long timed = (Long) meta.getField(M_TIMED);
        if (timed == null || timed != lastEnd) {
            long slide = p.window.slide().toMillis();
            for (long end = p.window.firstWindowEnd(t); end <= lastEnd; end += slide) {
                time.registerOnTime("w" + end, end - 1);
            }
            meta.setField(M_TIMED, lastEnd);
        }
        buffer.add(Row.of(t, input));
    }

    /** Opens a session or merges the ones the row bridges; one timer per session, at its end. */
    private static void session(
            TimeContext<Long> time, ListView<Row> buffer, Row meta, Row input, long t, long gap)
            throws Exception {
        long start = t;
        long end = t + gap;
        List<Row> kept = new ArrayList<>();
        Row[] sessions =
                meta.getField(M_SESSIONS) == null ? new Row[0] : (Row[]) meta.getField(M_SESSIONS);
        List<Long> merged = new ArrayList<>();
        for (Row s : sessions) {
            long s0 = (Long) s.getField(S_START);
            long e0 = (Long) s.getField(S_END);
            if (s0 < end && start < e0) {
                start = Math.min(start, s0);
                end = Math.max(end, e0);
                merged.add(s0);
            } else {
                kept.add(s);
            }
        }
        for (long s0 : merged) {
            time.clearTimer("s" + s0);
        }
        kept.add(Row.of(start, end));
        meta.setField(M_SESSIONS, kept.toArray(Row[]::new));
        time.registerOnTime("s" + start, end - 1);
        buffer.add(Row.of(t, input));
    }

    public void onTimer(OnTimerContext ctx, ListView<Row> buffer, Row meta) throws Exception {
        Plan p = plan(ctx, meta, null, null, null);
        String timer = ctx.currentTimer();
        if (timer.equals(END_OF_INPUT)) {
            Iterable<Row> rest = buffer.get();
            if (rest.iterator().hasNext()) {
                fire(p, rest, null, null);
            }
            buffer.clear();
            meta.setField(M_N, 0L);
            return;
        }
        if (timer.startsWith("s")) {
            fireSession(ctx, p, buffer, meta, Long.parseLong(timer.substring(1)));
        } else {
            fireDueWindows(
                    ctx.timeContext(Long.class), p, buffer, Long.parseLong(timer.substring(1)));
        }
    }

    /** The session that starts at {@code start}, ending at this timer's time + 1. */
    private void fireSession(OnTimerContext ctx, Plan p, ListView<Row> buffer, Row meta, long start)
            throws Exception {
        long end = ctx.timeContext(Long.class).time() + 1;
        Row[] sessions = (Row[]) meta.getField(M_SESSIONS);
        meta.setField(
                M_SESSIONS,
                Arrays.stream(sessions)
                        .filter(s -> (Long) s.getField(S_START) != start)
                        .toArray(Row[]::new));
        List<Row> members = new ArrayList<>();
        List<Row> kept = new ArrayList<>();
        int buffered = 0;
        for (Row b : buffer.get()) {
            buffered++;
            long t = (Long) b.getField(B_TIME);
            if (t >= start && t < end) {
                members.add(b);
            } else {
                kept.add(b);
            }
        }
        fire(p, members, start, end);
        if (kept.size() < buffered) { // rewritten only when records leave
            buffer.clear();
            buffer.addAll(kept);
        }
    }

    /**
     * Fires, in order, the tumbling or sliding windows of the key that the watermark has passed
     * from the one ending at {@code end}, whose timer this is, on (a watermark that jumps passes
     * many at once), in one pass over the buffer, and clears the others' timers. A record stays
     * buffered while a window not yet passed holds it.
     */
    private void fireDueWindows(TimeContext<Long> time, Plan p, ListView<Row> buffer, long end)
            throws Exception {
        long size = p.window.size().toMillis();
        long slide = p.window.slide().toMillis();
        Long current = time.currentWatermark();
        long watermark = current == null ? end - 1 : Math.max(current, end - 1);
        TreeMap<Long, List<Row>> due = new TreeMap<>();
        List<Row> kept = new ArrayList<>();
        int buffered = 0;
        for (Row b : buffer.get()) {
            buffered++;
            long t = (Long) b.getField(B_TIME);
            boolean keep = false;
            for (long e = p.window.firstWindowEnd(t), last = p.window.lastWindowEnd(t);
                    e <= last;
                    e += slide) {
                if (e - 1 > watermark) {
                    keep = true;
                } else if (e
                        >= end) { // windows that end earlier fired already: their timers came first
                    due.computeIfAbsent(e, k -> new ArrayList<>()).add(b);
                }
            }
            if (keep) {
                kept.add(b);
            }
        }
        for (Map.Entry<Long, List<Row>> w : due.entrySet()) {
            fire(p, w.getValue(), w.getKey() - size, w.getKey());
            if (w.getKey() != end) {
                time.clearTimer("w" + w.getKey());
            }
        }
        if (kept.size() < buffered) { // rewritten only when records leave
            buffer.clear();
            buffer.addAll(kept);
        }
    }

    /**
     * One window: its records' features as an N x D batch along dim 0, and one output per record.
     */
    private void fire(Plan p, Iterable<Row> members, Long start, Long end) {
        List<Row> records = new ArrayList<>();
        for (Iterator<Row> it = members.iterator(); it.hasNext(); ) {
            records.add((Row) it.next().getField(B_RECORD));
        }
        if (records.isEmpty()) {
            return;
        }
        int n = records.size();
        int d = ((Object[]) records.get(0).getField(p.featuresIndex)).length;
        float[] batch = new float[n * d];
        for (int i = 0; i < n; i++) {
            Object v = records.get(i).getField(p.featuresIndex);
            if (v instanceof Float[] floats) {
                for (int j = 0; j < d; j++) {
                    batch[i * d + j] = floats[j];
                }
            } else {
                Object[] numbers = (Object[]) v;
                for (int j = 0; j < d; j++) {
                    batch[i * d + j] = ((Number) numbers[j]).floatValue();
                }
            }
        }
        kernel.applyAlongDim0(batch, 0, batch, 0, n, d);
        Instant from = start == null ? null : Instant.ofEpochMilli(start);
        Instant to = end == null ? null : Instant.ofEpochMilli(end);
        for (int i = 0; i < n; i++) {
            ArrayData out;
            if (p.doubles) {
                double[] row = new double[d];
                for (int j = 0; j < d; j++) {
                    row[j] = batch[i * d + j];
                }
                out = new GenericArrayData(row);
            } else {
                out = new GenericArrayData(Arrays.copyOfRange(batch, i * d, (i + 1) * d));
            }
            collect(output(p, records.get(i), out, from, to, (long) n, null));
        }
    }

    private static Row output(
            Plan p,
            Row record,
            Object features,
            Instant start,
            Instant end,
            Long count,
            String deadLetter) {
        Row out = new Row(p.outputColumns.length + 4);
        for (int i = 0; i < p.outputColumns.length; i++) {
            int c = p.outputColumns[i];
            out.setField(i, c == p.featuresIndex ? features : record.getField(c));
        }
        int k = p.outputColumns.length;
        out.setField(k, start);
        out.setField(k + 1, end);
        out.setField(k + 2, count);
        out.setField(k + 3, deadLetter);
        return out;
    }
}
