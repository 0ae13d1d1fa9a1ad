package io.flinkactivations.sql;

import io.flinkactivations.core.ActivationKernel;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.binary.BinaryArrayData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.FunctionDefinition;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.table.functions.SpecializedFunction;
import org.apache.flink.table.functions.UserDefinedFunction;
import org.apache.flink.table.types.CollectionDataType;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.ArgumentCount;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.table.types.inference.ConstantArgumentCount;
import org.apache.flink.table.types.inference.InputTypeStrategy;
import org.apache.flink.table.types.inference.Signature;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * An activation as a SQL scalar function on {@code ARRAY<FLOAT>} or {@code ARRAY<DOUBLE>}: the
 * array first, then constant parameters. Subclasses say which parameters a call takes and what spec
 * they make; the type inference, NULL handling and evaluation are here, once.
 *
 * <p>NULL handling follows Flink's built-in array functions: a NULL array gives NULL; an
 * element-wise activation keeps a NULL element NULL in its place (as {@code ARRAY_REVERSE} keeps
 * it); the softmax family normalises over the elements that are not NULL and keeps NULL ones NULL
 * (as {@code ARRAY_MAX} skips them), and so do layer_norm, normalize and rms_norm; a grouped
 * softmax cuts the elements that are not NULL into its groups, and gives NULL for an array whose
 * count of them its groups do not divide. An empty array gives an empty array. The result has the
 * input's type: values are computed in float32, PyTorch's default dtype and the compute core's; a
 * DOUBLE array is rounded to float32 first and its results are widened back exactly.
 *
 * <p>Parameters are constants of the query (literals), checked when the query is planned with the
 * compute core's messages; the planner then specializes the function to one kernel.
 */
@Internal
public abstract class ArrayActivationFunction extends ScalarFunction
        implements SpecializedFunction {
    private static final long serialVersionUID = 1L;

    /** The call's spec and whether its array holds DOUBLE; null until specialized. */
    private ActivationSpec spec;

    private boolean doubles;

    private transient ActivationKernel kernel;
    private transient float[] values;
    private transient boolean grouped; // a step is a softmax in groups

    /** The name the function is called by, e.g. {@code LEAKY_RELU}. */
    public abstract String name();

    /** How many parameters may follow the array: {@code [min, max]}. */
    abstract int minParameters();

    abstract int maxParameters();

    /** The SQL type parameter {@code index} (from 0) is cast to: DOUBLE or STRING. */
    abstract DataType parameterType(int index);

    /**
     * The arguments as users read them in an error, e.g. {@code input ARRAY<FLOAT | DOUBLE>,
     * [approximate STRING]}.
     */
    abstract String arguments();

    /**
     * The call as users read it in an error, e.g. {@code GELU(input ARRAY<FLOAT | DOUBLE>,
     * [approximate STRING])}.
     */
    final String signature() {
        return name() + "(" + arguments() + ")";
    }

    /**
     * The spec the call's parameters make; {@code parameters.get(i)} is parameter {@code i}'s
     * literal value (Double or String), or null where the call leaves it out or passes NULL.
     *
     * @throws IllegalArgumentException with the compute core's message for a bad value
     */
    abstract ActivationSpec bind(List<Object> parameters);

    /** A new, unbound instance of this function (the planner's specialized copy). */
    abstract ArrayActivationFunction unbound();

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        return TypeInference.newBuilder()
                .inputTypeStrategy(new Inputs())
                .outputTypeStrategy(
                        call -> {
                            DataType input = call.getArgumentDataTypes().get(0);
                            // a grouped softmax gives NULL for an array its groups do not divide
                            return Optional.of(mayBeGrouped(call) ? input.nullable() : input);
                        })
                .build();
    }

    @Override
    public UserDefinedFunction specialize(SpecializedContext context) {
        CallContext call = context.getCallContext();
        ArrayActivationFunction bound = unbound();
        bound.spec = specOf(call);
        bound.doubles = elementType(call.getArgumentDataTypes().get(0)) == LogicalTypeRoot.DOUBLE;
        return bound;
    }

    /**
     * Whether the call may be a grouped softmax: by its spec when the planner has its literals
     * here, else by what the function can be.
     */
    private boolean mayBeGrouped(CallContext call) {
        try {
            return specOf(call).steps().stream().anyMatch(step -> step.groups() > 1);
        } catch (ValidationException e) {
            return name().equals(ActivateFunction.NAME)
                    || name().endsWith("SOFTMAX")
                    || name().equals("SOFTMIN");
        }
    }

    private ActivationSpec specOf(CallContext call) {
        List<Object> parameters = new ArrayList<>();
        for (int arg = 1; arg < call.getArgumentDataTypes().size(); arg++) {
            parameters.add(call.isArgumentNull(arg) ? null : literal(call, arg));
        }
        try {
            return bind(parameters).checkForMap();
        } catch (IllegalArgumentException e) {
            throw new ValidationException(name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code function} as the planner specializes it for one call of {@code spec} (for benchmarks).
     */
    static ArrayActivationFunction specialized(
            ArrayActivationFunction function, ActivationSpec spec, boolean doubles) {
        ArrayActivationFunction bound = function.unbound();
        bound.spec = spec;
        bound.doubles = doubles;
        bound.open(null);
        return bound;
    }

    /** The spec this call runs (after specialization), e.g. {@code gelu(approximate=tanh)}. */
    public ActivationSpec spec() {
        return spec;
    }

    @Override
    public void open(FunctionContext context) {
        if (spec == null) {
            throw new IllegalStateException(
                    name() + " runs only as specialized by Flink's planner");
        }
        kernel = Kernels.get().kernel(spec);
        values = new float[16];
        grouped = spec.steps().stream().anyMatch(step -> step.groups() > 1);
    }

    /**
     * One array; the parameters were bound when the query was planned (see {@link #specialize}).
     */
    public ArrayData eval(ArrayData input, Object... parameters) {
        if (input == null) {
            return null;
        }
        int n = input.size();
        boolean noNulls = input instanceof BinaryArrayData binary && !binary.anyNull();
        if (grouped && spec.checkDimension(noNulls ? n : notNull(input)) != null) {
            return null; // a grouped softmax's groups do not divide the array
        }
        if (noNulls && !doubles) { // Flink's own layout: one bulk copy out, the kernel in place
            float[] x = ((BinaryArrayData) input).toFloatArray();
            kernel.apply(x, 0, x, 0, n);
            return new GenericArrayData(x);
        }
        if (values.length < n) {
            values = new float[Math.max(n, values.length * 2)];
        }
        float[] x = values;
        if (noNulls) { // DOUBLE: one bulk copy out, float32 in between, widened back in its place
            double[] d = ((BinaryArrayData) input).toDoubleArray();
            for (int i = 0; i < n; i++) {
                x[i] = (float) d[i];
            }
            kernel.apply(x, 0, x, 0, n);
            for (int i = 0; i < n; i++) {
                d[i] = x[i];
            }
            return new GenericArrayData(d);
        }
        int k = 0; // the elements that are not NULL, in order: the kernel runs on them alone
        for (int i = 0; i < n; i++) {
            if (noNulls || !input.isNullAt(i)) {
                x[k++] = doubles ? (float) input.getDouble(i) : input.getFloat(i);
            }
        }
        kernel.apply(x, 0, x, 0, k);
        if (k == n && doubles) {
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[i] = x[i];
            }
            return new GenericArrayData(out);
        }
        if (k == n) {
            return new GenericArrayData(Arrays.copyOf(x, n));
        }
        Object[] out = new Object[n]; // NULL elements stay in their places
        for (int i = 0, j = 0; i < n; i++) {
            if (!input.isNullAt(i)) {
                out[i] = doubles ? (Object) (double) x[j++] : (Object) x[j++];
            }
        }
        return new GenericArrayData(out);
    }

    private static int notNull(ArrayData input) {
        int k = 0;
        for (int i = 0; i < input.size(); i++) {
            k += input.isNullAt(i) ? 0 : 1;
        }
        return k;
    }

    /** A literal parameter's value: a Double for a number, a String for a string. */
    private static Object literal(CallContext call, int arg) {
        if (call.getArgumentDataTypes()
                .get(arg)
                .getLogicalType()
                .is(LogicalTypeFamily.CHARACTER_STRING)) {
            return call.getArgumentValue(arg, String.class).orElse(null);
        }
        for (Class<? extends Number> type :
                List.of(Double.class, BigDecimal.class, Long.class, Integer.class, Float.class)) {
            Optional<? extends Number> value = call.getArgumentValue(arg, type);
            if (value.isPresent()) {
                return value.get().doubleValue();
            }
        }
        return null;
    }

    /** The element type of an ARRAY type, else null. */
    static LogicalTypeRoot elementType(DataType type) {
        return type.getLogicalType().is(LogicalTypeRoot.ARRAY)
                ? ((CollectionDataType) type).getElementDataType().getLogicalType().getTypeRoot()
                : null;
    }

    /** The array as it is, parameters cast to their types; literals checked against the spec. */
    private final class Inputs implements InputTypeStrategy {
        @Override
        public ArgumentCount getArgumentCount() {
            return ConstantArgumentCount.between(1 + minParameters(), 1 + maxParameters());
        }

        @Override
        public Optional<List<DataType>> inferInputTypes(CallContext call, boolean throwOnFailure) {
            List<DataType> given = call.getArgumentDataTypes();
            DataType input = given.get(0);
            LogicalTypeRoot element = elementType(input);
            if (element != LogicalTypeRoot.FLOAT && element != LogicalTypeRoot.DOUBLE) {
                return call.fail(
                        throwOnFailure,
                        "%s takes ARRAY<FLOAT> or ARRAY<DOUBLE>, not %s; cast it, e.g. CAST(x AS ARRAY<FLOAT>)",
                        name(),
                        input.getLogicalType().asSummaryString());
            }
            List<DataType> types = new ArrayList<>();
            types.add(input.bridgedTo(ArrayData.class));
            for (int arg = 1; arg < given.size(); arg++) {
                DataType want = parameterType(arg - 1);
                if (!call.isArgumentLiteral(arg)) {
                    return call.fail(
                            throwOnFailure,
                            "%s: parameter %d must be a constant (a literal), not a column or an expression: %s",
                            name(),
                            arg + 1,
                            signature());
                }
                boolean numeric = want.getLogicalType().is(LogicalTypeRoot.DOUBLE);
                boolean fits =
                        call.isArgumentNull(arg)
                                || (numeric
                                        ? given.get(arg)
                                                .getLogicalType()
                                                .is(LogicalTypeFamily.NUMERIC)
                                        : given.get(arg)
                                                .getLogicalType()
                                                .is(LogicalTypeFamily.CHARACTER_STRING));
                if (!fits) {
                    return call.fail(
                            throwOnFailure,
                            "%s: parameter %d must be %s, not %s: %s",
                            name(),
                            arg + 1,
                            numeric ? "a number" : "a string",
                            given.get(arg).getLogicalType().asSummaryString(),
                            signature());
                }
                types.add(want);
            }
            if (throwOnFailure) {
                specOf(call); // a bad value fails the query's planning, with the core's message
            }
            return Optional.of(types);
        }

        @Override
        public List<Signature> getExpectedSignatures(FunctionDefinition definition) {
            return List.of(Signature.of(Signature.Argument.of(arguments())));
        }
    }
}
