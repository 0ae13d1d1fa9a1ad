package io.flinkactivations.sql;

import io.flinkactivations.core.Activation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.functions.FunctionDefinition;
import org.apache.flink.table.module.Module;

/**
 * Every activation as a Flink SQL and Table API function, loaded once: {@code LOAD MODULE
 * activations} in SQL, {@code tableEnv.loadModule("activations", ActivationsModule.INSTANCE)} in
 * Java. Functions: one per activation by its PyTorch functional name in capitals ({@code RELU},
 * {@code LEAKY_RELU}, {@code GELU}, ..., {@code SOFTMAX}, {@code LOG_SOFTMAX}, {@code SOFTMIN},
 * {@code LAYER_NORM}, {@code NORMALIZE}, {@code RMS_NORM}), {@code ACTIVATE(array, spec)} (chains
 * too: {@code 'layer_norm | gelu'}), and the process table function {@code WINDOWED_SOFTMAX}
 * ({@link WindowedSoftmaxFunction}), which also runs batch_norm, min_max, max_abs and
 * running_batch_norm across a window's rows, and is {@code WINDOWED_NORMALIZE} too, with batch_norm
 * by default. Names are matched without regard to case, as Flink's own.
 */
@PublicEvolving
public final class ActivationsModule implements Module {

    /** The identifier for {@code LOAD MODULE}. */
    public static final String IDENTIFIER = "activations";

    public static final ActivationsModule INSTANCE = new ActivationsModule();

    private final Map<String, FunctionDefinition> functions;

    private ActivationsModule() {
        Map<String, FunctionDefinition> f = new LinkedHashMap<>();
        for (Activation a : Activation.values()) {
            if (!a.needsWindow()) { // along dim 0 only: WINDOWED_SOFTMAX
                f.put(ActivationFunction.sqlName(a), new ActivationFunction(a));
            }
        }
        f.put(ActivateFunction.NAME, new ActivateFunction());
        f.put(WindowedSoftmaxFunction.NAME, new WindowedSoftmaxFunction());
        f.put(
                WindowedSoftmaxFunction.NORMALIZE_NAME,
                new WindowedSoftmaxFunction.WindowedNormalize());
        functions = Collections.unmodifiableMap(f);
    }

    @Override
    public Set<String> listFunctions() {
        return functions.keySet();
    }

    @Override
    public Optional<FunctionDefinition> getFunctionDefinition(String name) {
        return Optional.ofNullable(functions.get(name.toUpperCase(Locale.ROOT)));
    }
}
