package io.flinkactivations.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkactivations.core.Activation;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.ParamDef;
import io.flinkactivations.testutils.GoldenCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The activations as SQL functions, loaded with {@code LOAD MODULE activations}, on a MiniCluster:
 * PyTorch's golden outputs through SQL (each function by name with positional parameters, and
 * {@code ACTIVATE} with a spec, on FLOAT and DOUBLE arrays), NULL handling, and the errors a wrong
 * call gets when the query is planned.
 */
class SqlFunctionsITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = new MiniClusterExtension();

    private static StreamExecutionEnvironment env;
    private static StreamTableEnvironment tables;
    private static final List<GoldenCase> VECTORS =
            GoldenCase.all().stream().filter(c -> !c.isWindow()).toList();

    @BeforeEach
    void golden() { // per test: the MiniCluster's environment is set for each test
        env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        tables = StreamTableEnvironment.create(env);
        tables.executeSql("LOAD MODULE activations");
        registerGolden(tables);
    }

    /** The golden vectors as the view {@code golden(id, spec, features ARRAY<FLOAT>)}. */
    private static void registerGolden(StreamTableEnvironment tables) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < VECTORS.size(); i++) {
            GoldenCase c = VECTORS.get(i);
            Float[] features = new Float[c.input().length];
            for (int j = 0; j < features.length; j++) {
                features[j] = c.input()[j];
            }
            rows.add(Row.of(i, c.spec(), features));
        }
        // a stream, not literals: NaN, infinities and every float bit pattern arrive as they are
        DataStream<Row> stream =
                env.fromData(rows)
                        .returns(
                                Types.ROW_NAMED(
                                        new String[] {"id", "spec", "features"},
                                        Types.INT,
                                        Types.STRING,
                                        Types.OBJECT_ARRAY(Types.FLOAT)));
        tables.createTemporaryView("golden", tables.fromDataStream(stream));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"by name, FLOAT", "by name, DOUBLE", "ACTIVATE, FLOAT"})
    void everyGoldenVectorThroughSql(String form) throws Exception {
        StringJoiner cases = new StringJoiner(" ", "CASE spec ", " END");
        for (String spec : new LinkedHashSet<>(VECTORS.stream().map(GoldenCase::spec).toList())) {
            String call =
                    switch (form) {
                        case "by name, FLOAT" -> byName(spec, "features");
                        case "by name, DOUBLE" -> byName(spec, "CAST(features AS ARRAY<DOUBLE>)");
                        default -> "ACTIVATE(features, '" + spec + "')";
                    };
            cases.add(
                    "WHEN '"
                            + spec
                            + "' THEN "
                            + (form.endsWith("DOUBLE")
                                    ? call
                                    : "CAST(" + call + " AS ARRAY<DOUBLE>)"));
        }
        Map<Integer, Object[]> out =
                collect(tables.sqlQuery("SELECT id, " + cases + " FROM golden"));
        assertThat(out).hasSize(VECTORS.size());
        for (int i = 0; i < VECTORS.size(); i++) {
            GoldenCase c = VECTORS.get(i);
            Object[] y = out.get(i);
            float[] actual = new float[y.length];
            for (int j = 0; j < y.length; j++) {
                actual[j] =
                        ((Double) y[j])
                                .floatValue(); // exact: a float widened, or a DOUBLE result of a
                // float
            }
            assertThat(c.check(c + " (" + form + ")", actual)).isNull();
        }
    }

    /**
     * {@code GELU(x, 'tanh')}: the function by its name, the spec's parameters positional in
     * PyTorch's order.
     */
    private static String byName(String spec, String array) {
        ActivationSpec s = ActivationSpec.parse(spec);
        if (SHADOWED.contains(ActivationFunction.sqlName(s.activation()))) {
            return "ACTIVATE(" + array + ", '" + spec + "')";
        }
        StringJoiner call =
                new StringJoiner(
                        ", ", "`" + ActivationFunction.sqlName(s.activation()) + "`(", ")");
        call.add(array);
        List<ParamDef> defs = s.activation().params();
        for (int i = 0; i < defs.size(); i++) {
            call.add(
                    defs.get(i).isChoice()
                            ? "'" + defs.get(i).choices().get((int) s.value(i)) + "'"
                            : Double.toString(s.value(i)));
        }
        return call.toString();
    }

    @Test
    void nullsBehaveAsFlinksArrayFunctions() throws Exception {
        Map<Integer, Object[]> out =
                collect(
                        tables.sqlQuery(
                                "SELECT id, RELU(x), SOFTMAX(x), LEAKY_RELU(x, 0.5) FROM (VALUES "
                                        + "(1, CAST(NULL AS ARRAY<FLOAT>)), "
                                        + "(2, ARRAY[CAST(-1 AS FLOAT), NULL, CAST(2 AS FLOAT)]), "
                                        + "(3, ARRAY[CAST(NULL AS FLOAT)]), "
                                        + "(4, ARRAY[CAST(0 AS FLOAT), CAST(0 AS FLOAT)])) AS t(id, x)"),
                        1,
                        2,
                        3);
        assertThat(out.get(1)).containsExactly(null, null, null); // a NULL array: NULL
        // NULL elements stay NULL in place; softmax normalises over the others: softmax([-1, 2])
        assertThat((Object[]) out.get(2)[0]).containsExactly(0f, null, 2f);
        assertThat((Object[]) out.get(2)[1]).containsExactly(0.047425874f, null, 0.95257413f);
        assertThat((Object[]) out.get(2)[2]).containsExactly(-0.5f, null, 2f);
        assertThat((Object[]) out.get(3)[1]).containsExactly((Object) null);
        assertThat((Object[]) out.get(4)[1]).containsExactly(0.5f, 0.5f);
    }

    @Test
    void anEmptyArrayGivesAnEmptyArray() throws Exception {
        DataStream<Row> empty =
                env.fromData(Row.of(1, new Float[0]))
                        .returns(
                                Types.ROW_NAMED(
                                        new String[] {"id", "x"},
                                        Types.INT,
                                        Types.OBJECT_ARRAY(Types.FLOAT)));
        Table t = tables.fromDataStream(empty);
        Map<Integer, Object[]> out =
                collect(tables.sqlQuery("SELECT id, GELU(x), SOFTMIN(x) FROM " + t), 1, 2);
        assertThat((Object[]) out.get(1)[0]).isEmpty();
        assertThat((Object[]) out.get(1)[1]).isEmpty();
    }

    /** Flink's own functions of the same name, which come first in Flink's default module order. */
    private static final Set<String> SHADOWED = Set.of("TANH");

    @Test
    void onlyTanhIsAlsoTheNameOfAFlinkFunction() {
        Set<String> core = new java.util.HashSet<>();
        org.apache.flink.table.module.CoreModule.INSTANCE
                .listFunctions()
                .forEach(f -> core.add(f.toUpperCase()));
        core.retainAll(ActivationsModule.INSTANCE.listFunctions());
        assertThat(core).isEqualTo(SHADOWED);
    }

    @Test
    void withTheModuleFirstTanhTakesArraysAndOtherwiseActivateDoes() throws Exception {
        StreamTableEnvironment first = StreamTableEnvironment.create(env);
        first.loadModule(ActivationsModule.IDENTIFIER, ActivationsModule.INSTANCE);
        first.useModules(ActivationsModule.IDENTIFIER, "core");
        registerGolden(first);
        Map<Integer, Object[]> moduleFirst =
                collect(
                        first.sqlQuery(
                                "SELECT id, TANH(features) FROM golden WHERE spec = 'tanh'"));
        Map<Integer, Object[]> activate =
                collect(
                        tables.sqlQuery(
                                "SELECT id, CAST(ACTIVATE(features, 'tanh') AS ARRAY<DOUBLE>) FROM golden WHERE spec = 'tanh'"));
        assertThat(moduleFirst).isNotEmpty().hasSameSizeAs(activate);
        moduleFirst.forEach(
                (id, y) ->
                        assertThat(Arrays.stream(y).map(v -> ((Number) v).floatValue()).toArray())
                                .containsExactly(
                                        Arrays.stream(activate.get(id))
                                                .map(v -> ((Number) v).floatValue())
                                                .toArray()));
    }

    @Test
    void theModuleListsEveryActivation() {
        Set<String> listed = new java.util.HashSet<>();
        try (CloseableIterator<Row> it = tables.executeSql("SHOW FUNCTIONS").collect()) {
            it.forEachRemaining(r -> listed.add(r.getField(0).toString().toUpperCase()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        for (Activation a : Activation.values()) {
            if (a.needsWindow()) {
                assertThat(listed).doesNotContain(ActivationFunction.sqlName(a));
            } else {
                assertThat(listed).contains(ActivationFunction.sqlName(a));
            }
        }
        assertThat(listed).contains("ACTIVATE", "WINDOWED_SOFTMAX");
    }

    @Test
    void chainsAndGroupsThroughActivate() throws Exception {
        Map<Integer, Object[]> out =
                collect(
                        tables.sqlQuery(
                                "SELECT id, ACTIVATE(x, 'layer_norm | gelu'), ACTIVATE(x, 'softmax(groups=2)'),"
                                        + " ACTIVATE(x, 'softmax(groups=3)'), LAYER_NORM(x), RMS_NORM(x, 0), `NORMALIZE`(x, 'inf')"
                                        + " FROM (VALUES (1, ARRAY[CAST(1 AS FLOAT), 2, 3, 4])) AS t(id, x)"),
                        1,
                        2,
                        3,
                        4,
                        5,
                        6);
        float[] x = {1, 2, 3, 4};
        Object[] row = out.get(1);
        assertThat((Object[]) row[0]).containsExactly(boxed(run("layer_norm | gelu", x)));
        assertThat((Object[]) row[1]).containsExactly(boxed(run("softmax(groups=2)", x)));
        assertThat(row[2]).as("groups that do not divide the array: NULL").isNull();
        assertThat((Object[]) row[3]).containsExactly(boxed(run("layer_norm", x)));
        assertThat((Object[]) row[4]).containsExactly(boxed(run("rms_norm(eps=0)", x)));
        assertThat((Object[]) row[5]).containsExactly(0.25f, 0.5f, 0.75f, 1f);
        assertThatThrownBy(
                        () ->
                                tables.sqlQuery(
                                        "SELECT ACTIVATE(features, 'relu | batch_norm') FROM golden"))
                .hasStackTraceContaining(
                        "ACTIVATE: batch_norm normalises each feature across a window's records");
        assertThatThrownBy(
                        () ->
                                tables.sqlQuery(
                                        "SELECT ACTIVATE(features, 'relu | gelo') FROM golden"))
                .hasStackTraceContaining(
                        "Step 2 of 'relu | gelo' (gelo): Unknown activation 'gelo'");
    }

    private static float[] run(String spec, float[] x) {
        float[] y = new float[x.length];
        io.flinkactivations.core.Kernels.get()
                .kernel(ActivationSpec.parse(spec))
                .apply(x, 0, y, 0, x.length);
        return y;
    }

    private static Float[] boxed(float[] x) {
        Float[] b = new Float[x.length];
        for (int i = 0; i < x.length; i++) {
            b[i] = x[i];
        }
        return b;
    }

    @Test
    void aWrongCallFailsWhenTheQueryIsPlannedAndSaysWhatToFix() {
        assertThatThrownBy(() -> tables.sqlQuery("SELECT SOFTMAX(ARRAY[1, 2])"))
                .hasStackTraceContaining(
                        "SOFTMAX takes ARRAY<FLOAT> or ARRAY<DOUBLE>, not ARRAY<INT NOT NULL> NOT NULL; cast it");
        assertThatThrownBy(
                        () ->
                                tables.sqlQuery(
                                        "SELECT GELU(CAST(features AS ARRAY<DOUBLE>), 'bogus') FROM golden"))
                .hasStackTraceContaining(
                        "Bad value for gelu parameter approximate: 'bogus'; valid values: none, tanh");
        assertThatThrownBy(() -> tables.sqlQuery("SELECT SOFTMAX(features, 1) FROM golden"))
                .hasStackTraceContaining("Bad value for softmax parameter dim: 1.0; it must be 0");
        assertThatThrownBy(() -> tables.sqlQuery("SELECT LEAKY_RELU(features, id) FROM golden"))
                .hasStackTraceContaining("LEAKY_RELU: parameter 2 must be a constant (a literal)");
        assertThatThrownBy(
                        () -> tables.sqlQuery("SELECT LEAKY_RELU(features, 'steep') FROM golden"))
                .hasStackTraceContaining(
                        "LEAKY_RELU: parameter 2 must be a number, not CHAR(5) NOT NULL");
        assertThatThrownBy(() -> tables.sqlQuery("SELECT THRESHOLD(features) FROM golden"))
                .hasStackTraceContaining(
                        "THRESHOLD(input ARRAY<FLOAT | DOUBLE>, threshold DOUBLE, value DOUBLE)");
        assertThatThrownBy(() -> tables.sqlQuery("SELECT ACTIVATE(features, 'swish') FROM golden"))
                .hasStackTraceContaining("Unknown activation 'swish'; did you mean 'hardswish'?");
        assertThatThrownBy(() -> tables.sqlQuery("SELECT ACTIVATE(features, spec) FROM golden"))
                .hasStackTraceContaining("ACTIVATE: parameter 2 must be a constant (a literal)");
        assertThatThrownBy(() -> tables.sqlQuery("SELECT RELU(features, 1) FROM golden"))
                .hasStackTraceContaining("RELU(input ARRAY<FLOAT | DOUBLE>)");
    }

    @Test
    void everyActivationCanBeRegisteredOnItsOwnByItsTorchClassName() throws Exception {
        for (Activation a : Activation.values()) {
            if (a.needsWindow()) {
                continue; // along dim 0 only: WINDOWED_SOFTMAX
            }
            Class<?> c = Class.forName("io.flinkactivations.sql.Functions$" + a.className());
            assertThat(((ActivationFunction) c.getConstructor().newInstance()).activation())
                    .isEqualTo(a);
        }
        StreamTableEnvironment alone = StreamTableEnvironment.create(env); // no module
        registerGolden(alone);
        alone.executeSql(
                "CREATE TEMPORARY FUNCTION leaky AS 'io.flinkactivations.sql.Functions$LeakyReLU'");
        alone.executeSql(
                "CREATE TEMPORARY FUNCTION activate AS 'io.flinkactivations.sql.ActivateFunction'");
        Map<Integer, Object[]> out =
                collect(
                        alone.sqlQuery(
                                "SELECT id, leaky(x, 0.5), activate(x, 'leaky_relu(0.5)') "
                                        + "FROM (VALUES (1, ARRAY[CAST(-2 AS FLOAT), CAST(3 AS FLOAT)])) AS t(id, x)"),
                        1,
                        2);
        assertThat((Object[]) out.get(1)[0]).containsExactly(-1f, 3f);
        assertThat((Object[]) out.get(1)[1]).containsExactly(-1f, 3f);
    }

    @Test
    void theTableApiCallsThemByName() throws Exception {
        Table result =
                tables.from("golden")
                        .where(
                                org.apache.flink.table.api.Expressions.$("spec")
                                        .isEqual("leaky_relu(negative_slope=0.2)"))
                        .select(
                                org.apache.flink.table.api.Expressions.$("id"),
                                org.apache.flink.table.api.Expressions.call(
                                                "LEAKY_RELU",
                                                org.apache.flink.table.api.Expressions.$(
                                                        "features"),
                                                0.2)
                                        .cast(
                                                org.apache.flink.table.api.DataTypes.ARRAY(
                                                        org.apache.flink.table.api.DataTypes
                                                                .DOUBLE())));
        Map<Integer, Object[]> out = collect(result);
        assertThat(out).isNotEmpty();
        out.forEach(
                (id, y) -> {
                    GoldenCase c = VECTORS.get(id);
                    float[] actual = new float[y.length];
                    for (int j = 0; j < y.length; j++) {
                        actual[j] = ((Double) y[j]).floatValue();
                    }
                    assertThat(c.check(c + " (Table API)", actual)).isNull();
                });
    }

    /**
     * The query's rows by their first column (an INT id), the other columns as arrays (or null).
     */
    private static Map<Integer, Object[]> collect(Table query) throws Exception {
        return collect(query, 1);
    }

    private static Map<Integer, Object[]> collect(Table query, int... columns) throws Exception {
        Map<Integer, Object[]> out = new HashMap<>();
        TableResult result = query.execute();
        try (CloseableIterator<Row> it = result.collect()) {
            while (it.hasNext()) {
                Row r = it.next();
                Object[] values = new Object[columns.length];
                for (int i = 0; i < columns.length; i++) {
                    values[i] = r.getField(columns[i]);
                }
                out.put(
                        (Integer) r.getField(0),
                        columns.length == 1 && values[0] != null ? toObjects(values[0]) : values);
            }
        }
        return out;
    }

    private static Object[] toObjects(Object array) {
        if (array instanceof Object[] a) {
            return a;
        }
        if (array instanceof double[] d) {
            return Arrays.stream(d).boxed().toArray();
        }
        throw new IllegalArgumentException("not an array: " + array);
    }
}
