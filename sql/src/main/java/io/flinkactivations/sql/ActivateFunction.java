package io.flinkactivations.sql;

import io.flinkactivations.core.ActivationSpec;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.DataType;

/**
 * {@code ACTIVATE(features, 'leaky_relu(negative_slope=0.2)')}: any activation by a spec, the same
 * spec language as the job's {@code --activation} and outputs' {@code "activation"} field, with
 * named parameters.
 */
@PublicEvolving
public class ActivateFunction extends ArrayActivationFunction {
    private static final long serialVersionUID = 1L;

    /** The name the module gives it. */
    public static final String NAME = "ACTIVATE";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    int minParameters() {
        return 1;
    }

    @Override
    int maxParameters() {
        return 1;
    }

    @Override
    DataType parameterType(int index) {
        return DataTypes.STRING();
    }

    @Override
    String arguments() {
        return "input ARRAY<FLOAT | DOUBLE>, spec STRING";
    }

    @Override
    ActivationSpec bind(List<Object> parameters) {
        Object spec = parameters.get(0);
        if (spec == null) {
            throw new IllegalArgumentException(
                    "the spec must not be NULL: "
                            + signature()
                            + ", e.g. ACTIVATE(features, 'gelu(approximate=tanh)')");
        }
        return ActivationSpec.parse(spec.toString());
    }

    @Override
    ArrayActivationFunction unbound() {
        return new ActivateFunction();
    }
}
