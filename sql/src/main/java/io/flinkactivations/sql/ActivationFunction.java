package io.flinkactivations.sql;

import io.flinkactivations.core.Activation;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.ParamDef;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.DataType;

/**
 * One activation by its PyTorch name, its parameters positional in PyTorch's order after the array:
 * {@code RELU(features)}, {@code LEAKY_RELU(features, 0.2)}, {@code GELU(features, 'tanh')}, {@code
 * SOFTMAX(features, 0, 2.0)} (dim, then temperature). The parameters and their defaults are the
 * compute core's ({@link Activation#params()}); a parameter left out or NULL takes its default. For
 * named parameters, {@link ActivateFunction} takes a spec: {@code ACTIVATE(features,
 * 'softmax(temperature=2)')}.
 */
@PublicEvolving
public class ActivationFunction extends ArrayActivationFunction {
    private static final long serialVersionUID = 1L;

    private final Activation activation;

    public ActivationFunction(Activation activation) {
        this.activation = activation;
    }

    /**
     * The SQL name of {@code activation}: its functional name in capitals, e.g. {@code LEAKY_RELU}.
     */
    public static String sqlName(Activation activation) {
        return activation.functionalName().toUpperCase(Locale.ROOT);
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public String name() {
        return sqlName(activation);
    }

    @Override
    int minParameters() {
        int required = 0;
        for (ParamDef p : activation.params()) {
            required += p.isRequired() ? 1 : 0;
        }
        return required;
    }

    @Override
    int maxParameters() {
        return activation.params().size();
    }

    @Override
    DataType parameterType(int index) {
        return activation.params().get(index).isChoice() ? DataTypes.STRING() : DataTypes.DOUBLE();
    }

    @Override
    String arguments() {
        StringJoiner s = new StringJoiner(", ");
        s.add("input ARRAY<FLOAT | DOUBLE>");
        for (ParamDef p : activation.params()) {
            String type =
                    p.isChoice() ? "STRING '" + String.join("' | '", p.choices()) + "'" : "DOUBLE";
            s.add(p.isRequired() ? p.name() + " " + type : "[" + p.name() + " " + type + "]");
        }
        return s.toString();
    }

    @Override
    ActivationSpec bind(List<Object> parameters) {
        List<ParamDef> defs = activation.params();
        StringJoiner spec = new StringJoiner(", ", activation.functionalName() + "(", ")");
        for (int i = 0; i < parameters.size(); i++) {
            Object value = parameters.get(i);
            if (value != null) {
                spec.add(
                        defs.get(i).name()
                                + "="
                                + (value instanceof Double d ? Double.toString(d) : value));
            }
        }
        return ActivationSpec.parse(spec.toString());
    }

    @Override
    ArrayActivationFunction unbound() {
        return new ActivationFunction(activation);
    }
}
