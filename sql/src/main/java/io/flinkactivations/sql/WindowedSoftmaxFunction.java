package io.flinkactivations.sql;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.stream.BadRecordReason;
import io.flinkactivations.stream.internal.WindowEngine;
import io.flinkactivations.stream.internal.WindowEngine.KeyState;
import io.flinkactivations.stream.internal.WindowEngine.Records;
import io.flinkactivations.stream.internal.WindowEngine.Rejection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.dataview.ListView;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.table.functions.SpecializedFunction;
import org.apache.flink.table.functions.TableSemantics;
import org.apache.flink.table.functions.UserDefinedFunction;
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
public class WindowedSoftmaxFunction extends ProcessTableFunction<Row>
        implements SpecializedFunction {
    private static final long serialVersionUID = 1L;

    /** The function's name in {@code ActivationsModule}. */
    public static final String NAME = "WINDOWED_SOFTMAX";

    /**
     * The same function under the name a SQL user looks for a normalization by, {@code
     * WINDOWED_NORMALIZE}; its activation defaults to {@code batch_norm}.
     */
    public static final String NORMALIZE_NAME = "WINDOWED_NORMALIZE";

    /**
     * The state lives as long as its windows: a fired window's records leave the buffer. Flink's
     * default for a process table function's state, a time-to-live of forever, costs an expiry
     * check on every access.
     */
    private static final Duration NO_TTL = Duration.ZERO;

    private static final EnumSet<StaticArgumentTrait> INPUT_TRAITS =
            EnumSet.of(StaticArgumentTrait.TABLE, StaticArgumentTrait.SET_SEMANTIC_TABLE);

    private static final int ARG_WINDOW = 1;
    private static final int ARG_ACTIVATION = 2;
    private static final int ARG_FEATURES = 3;
    private static final String DEFAULT_FEATURES = "features";

    // the key's state, one row under KEY_STATE in the "key" map view, read by position
    private static final int KEY_STATE = 0;
    private static final int K_DIM = 0;
    private static final int K_COUNT = 1;
    private static final int K_TIMED = 2;
    private static final int K_FIRED = 3;
    private static final int K_SLICES = 4;
    private static final int K_SESSIONS = 5;
    private static final int K_RUNNING = 6;

    // a buffered record, by position (Plan.bufferType)
    private static final int B_NAMESPACE = 0;
    private static final int B_TIME = 1;
    private static final int B_FEATURES = 2;
    private static final int B_REST = 3;

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        LinkedHashMap<String, StateTypeStrategy> state = new LinkedHashMap<>();
        // every buffered record, in the order it came: its window namespace, event time, features
        // (float32) and its other columns (records of fired windows are removed)
        state.put(
                "buffer",
                StateTypeStrategy.of(
                        call ->
                                Optional.of(
                                        ListView.newListViewDataType(
                                                Plan.of(name, defaultActivation, call).bufferType)),
                        NO_TTL));
        // what the window engine keeps per key, as one entry of a map view: a view is read and
        // written when the engine asks, where a value state is converted, compared and written
        // back on every call
        state.put(
                "key",
                StateTypeStrategy.of(
                        call ->
                                Optional.of(
                                        MapView.newMapViewDataType(
                                                DataTypes.INT().notNull(),
                                                DataTypes.ROW(
                                                                DataTypes.FIELD(
                                                                        "dim", DataTypes.INT()),
                                                                DataTypes.FIELD(
                                                                        "n", DataTypes.BIGINT()),
                                                                DataTypes.FIELD(
                                                                        "timed",
                                                                        DataTypes.BIGINT()),
                                                                DataTypes.FIELD(
                                                                        "fired",
                                                                        DataTypes.BIGINT()),
                                                                DataTypes.FIELD("slices", longs()),
                                                                DataTypes.FIELD(
                                                                        "sessions", longs()),
                                                                DataTypes.FIELD(
                                                                        "running", doubles()))
                                                        .bridgedTo(Row.class))),
                        NO_TTL));
        return TypeInference.newBuilder()
                .staticArguments(
                        StaticArgument.table("input", Row.class, false, INPUT_TRAITS),
                        StaticArgument.scalar("window_spec", DataTypes.STRING(), false),
                        StaticArgument.scalar("activation", DataTypes.STRING(), true),
                        StaticArgument.scalar("features", DataTypes.STRING(), true))
                .stateTypeStrategies(state)
                .outputTypeStrategy(
                        call -> Optional.of(Plan.of(name, defaultActivation, call).outputType))
                .build();
    }

    private static TableSemantics table(String name, CallContext call) {
        return call.getTableSemantics(0)
                .orElseThrow(
                        () ->
                                new ValidationException(
                                        name
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
        final int[] restColumns; // what state keeps of a record besides its features
        final DataType outputType;
        final DataType bufferType; // a buffered record: namespace, event time, features, the rest

        private Plan(
                String name,
                WindowSpec window,
                ActivationSpec activation,
                DataType inputType,
                int[] keys,
                String features,
                boolean hasTime) {
            this.window = window;
            this.activation = activation;
            try {
                activation.checkForWindow();
            } catch (IllegalArgumentException e) {
                throw new ValidationException(name + ": " + e.getMessage());
            }
            if (window.isTimeBased() && !hasTime) {
                throw new ValidationException(
                        name
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
                        name
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
                        name
                                + ": column '"
                                + features
                                + "' must be ARRAY<FLOAT> or ARRAY<DOUBLE>, not "
                                + f.getLogicalType().asSummaryString());
            }
            this.doubles = element == LogicalTypeRoot.DOUBLE;
            List<Integer> out = new ArrayList<>();
            List<Integer> rest = new ArrayList<>();
            List<DataTypes.Field> fields = new ArrayList<>();
            List<DataTypes.Field> restFields = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                final int column = i;
                if (Arrays.stream(keys).noneMatch(k -> k == column)) {
                    out.add(i);
                    if (i != featuresIndex) {
                        rest.add(i);
                        restFields.add(DataTypes.FIELD(names.get(i), plainTime(types.get(i))));
                    }
                    // the features out as Flink's own array data: a primitive array, not one boxed
                    // number per element
                    fields.add(
                            DataTypes.FIELD(
                                    names.get(i),
                                    i == featuresIndex
                                            // the features out as Flink's own array data: a
                                            // primitive array, not one boxed number per element
                                            ? f.nullable().bridgedTo(ArrayData.class)
                                            : plainTime(types.get(i))));
                }
            }
            // the bounds out as epoch milliseconds, which Flink takes for TIMESTAMP_LTZ as they are
            fields.add(
                    DataTypes.FIELD(
                            "window_start", DataTypes.TIMESTAMP_LTZ(3).bridgedTo(Long.class)));
            fields.add(
                    DataTypes.FIELD(
                            "window_end", DataTypes.TIMESTAMP_LTZ(3).bridgedTo(Long.class)));
            fields.add(DataTypes.FIELD("window_count", DataTypes.BIGINT()));
            fields.add(DataTypes.FIELD("dead_letter", DataTypes.STRING()));
            this.outputColumns = out.stream().mapToInt(Integer::intValue).toArray();
            this.restColumns = rest.stream().mapToInt(Integer::intValue).toArray();
            this.outputType = DataTypes.ROW(fields).bridgedTo(Row.class);
            this.bufferType =
                    DataTypes.ROW(
                                    DataTypes.FIELD("ns", DataTypes.BIGINT().notNull()),
                                    DataTypes.FIELD("t", DataTypes.BIGINT().notNull()),
                                    DataTypes.FIELD(
                                            "f",
                                            DataTypes.ARRAY(DataTypes.FLOAT().notNull())
                                                    .notNull()
                                                    .bridgedTo(float[].class)),
                                    DataTypes.FIELD(
                                            "r",
                                            DataTypes.ROW(restFields)
                                                    .notNull()
                                                    .bridgedTo(Row.class)))
                            .notNull()
                            .bridgedTo(Row.class);
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

        static Plan of(String name, String defaultActivation, CallContext call) {
            TableSemantics t = table(name, call);
            String window =
                    call.getArgumentValue(ARG_WINDOW, String.class)
                            .orElseThrow(
                                    () ->
                                            new ValidationException(
                                                    name
                                                            + ": window must be a string literal, e.g. window_spec => 'tumbling(10s)'"));
            String activation =
                    call.isArgumentNull(ARG_ACTIVATION)
                            ? defaultActivation
                            : call.getArgumentValue(ARG_ACTIVATION, String.class)
                                    .orElseThrow(
                                            () ->
                                                    new ValidationException(
                                                            name
                                                                    + ": activation must be a string literal, e.g. activation => 'softmax(temperature=2)'"));
            String features =
                    call.isArgumentNull(ARG_FEATURES)
                            ? DEFAULT_FEATURES
                            : call.getArgumentValue(ARG_FEATURES, String.class)
                                    .orElseThrow(
                                            () ->
                                                    new ValidationException(
                                                            name
                                                                    + ": features must be a string literal naming a column"));
            // on_time follows the declared arguments; the table's semantics know of it only at run
            // time
            boolean onTime =
                    call.getArgumentDataTypes().size() > ARG_FEATURES + 1
                            && !call.isArgumentNull(ARG_FEATURES + 1);
            return of(name, window, activation, features, t, onTime || t.timeColumn() >= 0);
        }

        static Plan of(
                String name,
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
                throw new ValidationException(name + ": " + e.getMessage(), e);
            }
            return new Plan(
                    name,
                    w,
                    a,
                    t.dataType(),
                    t.partitionByColumns(),
                    features == null ? DEFAULT_FEATURES : features,
                    hasTime);
        }
    }

    // the call's arguments, set when the planner specializes the function to its call: the
    // timers get no arguments, and state need not keep them
    private final String name;
    private final String defaultActivation;
    private final String window;
    private final String activation;
    private final String features;

    /** The function as the module lists it; the planner specializes it to each call. */
    public WindowedSoftmaxFunction() {
        this(NAME, "softmax", null, null, null);
    }

    /**
     * The function under another name, with another default activation ({@link WindowedNormalize}).
     */
    WindowedSoftmaxFunction(String name, String defaultActivation) {
        this(name, defaultActivation, null, null, null);
    }

    private WindowedSoftmaxFunction(
            String name,
            String defaultActivation,
            String window,
            String activation,
            String features) {
        this.name = name;
        this.defaultActivation = defaultActivation;
        this.window = window;
        this.activation = activation;
        this.features = features;
    }

    @Override
    public UserDefinedFunction specialize(SpecializedContext context) {
        CallContext call = context.getCallContext();
        Plan.of(name, defaultActivation, call); // the same checks as when the query was validated
        return new WindowedSoftmaxFunction(
                name,
                defaultActivation,
                call.getArgumentValue(ARG_WINDOW, String.class).orElseThrow(),
                call.isArgumentNull(ARG_ACTIVATION)
                        ? defaultActivation
                        : call.getArgumentValue(ARG_ACTIVATION, String.class).orElseThrow(),
                call.isArgumentNull(ARG_FEATURES)
                        ? DEFAULT_FEATURES
                        : call.getArgumentValue(ARG_FEATURES, String.class).orElseThrow());
    }

    // the current call's context and state, for the engine's store, timers and output
    private transient Plan plan;
    private transient WindowEngine<Row> engine;
    private transient Context context;
    private transient ListView<Row> buffer;
    private transient MapView<Integer, Row> key;

    /** The call's plan, from the arguments it was specialized with. */
    private Plan plan(Context ctx) {
        if (plan == null) {
            if (window == null) {
                throw new IllegalStateException(
                        name + " runs as the planner specialized it to its call");
            }
            plan =
                    Plan.of(
                            name,
                            window,
                            activation,
                            features,
                            ctx.tableSemanticsFor("input"),
                            true); // checked when planned
            engine =
                    new WindowEngine<>(
                            plan.activation,
                            plan.window,
                            0,
                            Long.MAX_VALUE, // the table's WATERMARK clause decides (docs/sql.md)
                            "the row came after its window closed",
                            new Store(),
                            new Timers(),
                            new Results());
        }
        return plan;
    }

    /** One row of the input table. */
    public void eval(
            Context ctx,
            ListView<Row> buffer,
            MapView<Integer, Row> key,
            Row input,
            String window,
            String activation,
            String features)
            throws Exception {
        Plan p = plan(ctx);
        this.context = ctx;
        this.buffer = buffer;
        this.key = key;
        // Flink 2.2 gives a table argument's arrays boxed (FLINK-40391)
        Object[] values = (Object[]) input.getField(p.featuresIndex);
        for (int i = 0; values != null && i < values.length; i++) {
            if (values[i] == null) {
                deadLetter(p, input, BadRecordReason.WRONG_TYPE);
                return;
            }
        }
        long t = p.window.isTimeBased() ? ctx.timeContext(Long.class).time() : Long.MIN_VALUE;
        Rejection no =
                engine.add(
                        values == null ? -1 : values.length, t, () -> stored(p, input, values, t));
        if (no != null) {
            deadLetter(p, input, no.reason());
        }
    }

    /** What state keeps of a row: its features as float32s and its other columns, once. */
    private static Row stored(Plan p, Row input, Object[] values, long t) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) { // FLOAT as it is, DOUBLE rounded to float32
            f[i] = ((Number) values[i]).floatValue();
        }
        Row rest = new Row(p.restColumns.length);
        for (int i = 0; i < p.restColumns.length; i++) {
            rest.setField(i, input.getField(p.restColumns[i]));
        }
        // count windows keep no event time: their windows have no time bounds, as the operator's
        return Row.of(0L, p.window.isTimeBased() ? t : Long.MIN_VALUE, f, rest);
    }

    /** The row as it came (its features too), with the reason it is a dead letter. */
    private void deadLetter(Plan p, Row input, BadRecordReason reason) {
        Row out = new Row(p.outputColumns.length + 4);
        for (int i = 0; i < p.outputColumns.length; i++) {
            int c = p.outputColumns[i];
            // the features as they came, as the output's array data
            out.setField(
                    i, c == p.featuresIndex ? boxedArray(input.getField(c)) : input.getField(c));
        }
        out.setField(p.outputColumns.length + 3, reason.code());
        collect(out);
    }

    private static ArrayData boxedArray(Object values) {
        return values == null ? null : new GenericArrayData((Object[]) values);
    }

    /** A timer of the key: the engine's, at the end of a window (less 1 ms). */
    public void onTimer(OnTimerContext ctx, ListView<Row> buffer, MapView<Integer, Row> key)
            throws Exception {
        plan(ctx);
        this.context = ctx;
        this.buffer = buffer;
        this.key = key;
        engine.onTimer(ctx.timeContext(Long.class).time());
    }

    /** The key's records in the buffer, in the order they came; the key's state in its map view. */
    private final class Store implements WindowEngine.Store<Row> {
        @Override
        public KeyState keyState() throws Exception {
            KeyState s = new KeyState();
            Row k = key.get(KEY_STATE);
            if (k == null) {
                return s;
            }
            if (k.getField(K_DIM) != null) {
                s.dimension = (Integer) k.getField(K_DIM);
            }
            s.count = (Long) k.getField(K_COUNT);
            s.timedSlice = (Long) k.getField(K_TIMED);
            s.firedThrough = (Long) k.getField(K_FIRED);
            s.slices = longs(k.getField(K_SLICES));
            s.sessions = longs(k.getField(K_SESSIONS));
            s.running = (double[]) k.getField(K_RUNNING);
            return s;
        }

        @Override
        public void keyState(KeyState s) throws Exception {
            // a new row: heap state keeps the one it was given
            key.put(
                    KEY_STATE,
                    Row.of(
                            s.dimension < 0 ? null : s.dimension,
                            s.count,
                            s.timedSlice,
                            s.firedThrough,
                            s.slices,
                            s.sessions,
                            s.running));
        }

        @Override
        public void add(long namespace, Row record) throws Exception {
            record.setField(B_NAMESPACE, namespace);
            buffer.add(record);
        }

        @Override
        public void read(long[] namespaces, int n, Records<Row> sink) throws Exception {
            // one pass over the buffer, its records by namespace in the order they came
            List<List<Row>> byNamespace = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byNamespace.add(new ArrayList<>());
            }
            for (Row r : buffer.get()) {
                int i = Arrays.binarySearch(namespaces, 0, n, (Long) r.getField(B_NAMESPACE));
                if (i >= 0) {
                    byNamespace.get(i).add(r);
                }
            }
            for (int i = 0; i < n; i++) {
                for (Row r : byNamespace.get(i)) {
                    sink.accept(namespaces[i], r);
                }
            }
        }

        @Override
        public void clear(long[] namespaces, int n) throws Exception {
            long[] sorted = Arrays.copyOf(namespaces, n);
            Arrays.sort(sorted);
            List<Row> kept = new ArrayList<>();
            boolean dropped = false;
            for (Row r : buffer.get()) {
                if (Arrays.binarySearch(sorted, (Long) r.getField(B_NAMESPACE)) >= 0) {
                    dropped = true;
                } else {
                    kept.add(r);
                }
            }
            if (dropped) { // rewritten only when records leave
                buffer.clear();
                buffer.addAll(kept);
            }
        }

        @Override
        public void move(long from, long to) throws Exception {
            // after every record there, as the operator's list state appends them
            List<Row> kept = new ArrayList<>();
            List<Row> moved = new ArrayList<>();
            for (Row r : buffer.get()) {
                if ((Long) r.getField(B_NAMESPACE) == from) {
                    r.setField(B_NAMESPACE, to);
                    moved.add(r);
                } else {
                    kept.add(r);
                }
            }
            if (!moved.isEmpty()) {
                kept.addAll(moved);
                buffer.clear();
                buffer.addAll(kept);
            }
        }

        @Override
        public double[] statistics(long namespace) {
            return null; // computed from the slice's records each time: the same numbers
        }

        @Override
        public void statistics(long namespace, double[] statistics) {}

        @Override
        public void clearStatistics(long namespace) {}

        @Override
        public float[] features(Row record) {
            return (float[]) record.getField(B_FEATURES);
        }

        @Override
        public long time(Row record) {
            return (Long) record.getField(B_TIME);
        }
    }

    private static long[] longs(Object values) {
        // as state has it: the engine replaces the key's arrays, never writes into them
        return values == null ? new long[0] : (long[]) values;
    }

    /** A list of doubles in state, as a primitive array. */
    private static DataType doubles() {
        return DataTypes.ARRAY(DataTypes.DOUBLE().notNull()).bridgedTo(double[].class);
    }

    /** A list of longs in state, as a primitive array. */
    private static DataType longs() {
        return DataTypes.ARRAY(DataTypes.BIGINT().notNull()).bridgedTo(long[].class);
    }

    /**
     * The key's timers, by time alone: with no allowed lateness a time names one window of the key
     * (a named timer costs a string per timer, its hash and a map entry).
     */
    private final class Timers implements WindowEngine.Timers {
        @Override
        public long watermark() {
            Long w = context.timeContext(Long.class).currentWatermark();
            return w == null ? Long.MIN_VALUE : w;
        }

        @Override
        public void register(long namespace, long time) {
            context.timeContext(Long.class).registerOnTime(time);
        }

        @Override
        public void delete(long namespace, long time) {
            context.timeContext(Long.class).clearTimer(time);
        }

        @Override
        public long endOfInput() {
            return Long.MAX_VALUE - 1; // the final watermark fires it
        }
    }

    /** Each result as an output row: the record's other columns and its normalised features. */
    private final class Results implements WindowEngine.Output<Row> {
        @Override
        public void result(Row record, float[] features, long start, long end, int count) {
            Plan p = plan;
            Row out = new Row(p.outputColumns.length + 4);
            Row rest = (Row) record.getField(B_REST);
            int j = 0;
            for (int i = 0; i < p.outputColumns.length; i++) {
                out.setField(
                        i,
                        p.outputColumns[i] == p.featuresIndex
                                ? arrayData(p, features)
                                : rest.getField(j++));
            }
            int k = p.outputColumns.length;
            if (start != Long.MIN_VALUE) {
                out.setField(k, start);
                out.setField(k + 1, end);
            }
            out.setField(k + 2, (long) count);
            collect(out);
        }

        /** Flink's array data over the primitive array: FLOAT as it is, DOUBLE widened exactly. */
        private ArrayData arrayData(Plan p, float[] features) {
            if (!p.doubles) {
                return new GenericArrayData(features);
            }
            double[] d = new double[features.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = features[i];
            }
            return new GenericArrayData(d);
        }

        @Override
        public void values(float[] values, int off, int len, int rows) {
            // SQL reports its own metrics
        }
    }

    /**
     * {@code WINDOWED_NORMALIZE}: this function under the name a SQL user looks for a normalization
     * by, its activation {@code batch_norm} unless given (min_max, max_abs, running_batch_norm, a
     * chain, or the softmax family). {@code CREATE FUNCTION windowed_normalize AS
     * 'io.flinkactivations.sql.WindowedSoftmaxFunction$WindowedNormalize'}.
     */
    @PublicEvolving
    public static final class WindowedNormalize extends WindowedSoftmaxFunction {
        private static final long serialVersionUID = 1L;

        public WindowedNormalize() {
            super(NORMALIZE_NAME, "batch_norm");
        }
    }
}
