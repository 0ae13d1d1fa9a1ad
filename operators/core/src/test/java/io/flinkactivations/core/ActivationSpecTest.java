package io.flinkactivations.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ActivationSpecTest {

    /** Every op, with defaults and with each parameter set to a non-default value, round-trips. */
    @Test
    void everyOpAndParameterRoundTripsThroughItsCanonicalSpec() {
        int checked = 0;
        for (Activation op : Activation.values()) {
            List<ParamDef> params = op.params();
            if (params.stream().noneMatch(ParamDef::isRequired)) {
                ActivationSpec defaults = ActivationSpec.parse(op.functionalName());
                assertThat(defaults.canonical()).isEqualTo(op.functionalName());
                assertThat(ActivationSpec.parse(op.className())).isEqualTo(defaults);
                checked++;
            }
            for (int i = 0; i < params.size(); i++) {
                ParamDef p = params.get(i);
                if (p.name().equals("dim")) {
                    continue; // only dim=0 is valid, which is the default
                }
                String value =
                        p.isChoice() ? p.choices().get(p.choices().size() - 1) : nonDefault(op, p);
                String spec =
                        op.functionalName()
                                + "("
                                + p.name()
                                + "="
                                + value
                                + requiredOthers(op, i)
                                + ")";
                ActivationSpec parsed = ActivationSpec.parse(spec);
                String canonical = parsed.canonical();
                assertThat(canonical).as(spec).contains(p.name() + "=" + value);
                assertThat(ActivationSpec.parse(canonical)).as(canonical).isEqualTo(parsed);
                assertThat(ActivationSpec.parse(canonical).canonical()).isEqualTo(canonical);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(Activation.values().length);
    }

    private static String nonDefault(Activation op, ParamDef p) {
        if (op == Activation.HARDTANH) {
            return p.name().equals("min_val") ? "-0.5" : "2.5";
        }
        if (op == Activation.RRELU) {
            return p.name().equals("lower") ? "0.2" : "0.4";
        }
        if (p.name().equals("groups")) {
            return "3";
        }
        if (p.name().equals("momentum")) {
            return "0.25";
        }
        return p.isRequired() ? "0.75" : p.defaultValue() == 2.5 ? "3" : "2.5";
    }

    private static String requiredOthers(Activation op, int except) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < op.params().size(); j++) {
            if (j != except && op.params().get(j).isRequired()) {
                sb.append(", ").append(op.params().get(j).name()).append("=1");
            }
        }
        return sb.toString();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            relu                                  | relu
            ReLU                                  | relu
            nn.LeakyReLU(0.2)                     | leaky_relu(negative_slope=0.2)
            LeakyReLU(negative_slope=0.2)         | leaky_relu(negative_slope=0.2)
            leaky_relu(0.2)                       | leaky_relu(negative_slope=0.2)
            leaky_relu(negative_slope=0.01)       | leaky_relu
            ' leaky_relu ( 0.2 ) '                | leaky_relu(negative_slope=0.2)
            GELU                                  | gelu
            gelu(approximate=tanh)                | gelu(approximate=tanh)
            gelu(approximate='tanh')              | gelu(approximate=tanh)
            GELU(approximate="none")              | gelu
            softplus(beta=2, threshold=10)        | softplus(beta=2, threshold=10)
            softplus(2, threshold=10)             | softplus(beta=2, threshold=10)
            Softplus(1, 20)                       | softplus
            threshold(0.1, 20)                    | threshold(threshold=0.1, value=20)
            Threshold(value=20, threshold=0.1)    | threshold(threshold=0.1, value=20)
            hardtanh(-2, 3)                       | hardtanh(min_val=-2, max_val=3)
            Softmax(dim=0)                        | softmax
            softmax(0)                            | softmax
            softmax(temperature=0.5)              | softmax(temperature=0.5)
            LogSoftmax                            | log_softmax
            Softmin(dim=0, temperature=2)         | softmin(temperature=2)
            elu(1e-5)                             | elu(alpha=1e-5)
            rrelu                                 | rrelu
            PReLU(0.1)                            | prelu(weight=0.1)
            """)
    void parsesEveryForm(String text, String canonical) {
        assertThat(ActivationSpec.parse(text).canonical()).isEqualTo(canonical);
    }

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                Arguments.of("", "Empty spec"),
                Arguments.of("swish", "Unknown activation 'swish'; did you mean 'hardswish'?"),
                Arguments.of(
                        "leaky_relu(slope=0.2)",
                        "Unknown parameter 'slope' for leaky_relu; did you mean 'negative_slope'? valid parameters: leaky_relu(negative_slope=0.01)"),
                Arguments.of("relu(0.2)", "relu takes no parameters"),
                Arguments.of(
                        "leaky_relu(0.2, 0.3)",
                        "leaky_relu takes at most 1 positional parameter (negative_slope), got 2"),
                Arguments.of(
                        "leaky_relu(abc)",
                        "Bad value for leaky_relu parameter negative_slope: 'abc' is not a number"),
                Arguments.of("leaky_relu(NaN)", "it must be a finite number"),
                Arguments.of(
                        "leaky_relu(0.2, negative_slope=0.3)",
                        "Parameter negative_slope of leaky_relu is given twice"),
                Arguments.of(
                        "leaky_relu(negative_slope=0.2, 0.3)",
                        "a positional argument follows a named one"),
                Arguments.of(
                        "gelu(approximate=fast)",
                        "Bad value for gelu parameter approximate: 'fast'; valid values: none, tanh"),
                Arguments.of(
                        "threshold(0.1)",
                        "threshold requires parameter value; write threshold(threshold, value)"),
                Arguments.of(
                        "softshrink(-1)",
                        "Bad value for softshrink parameter lambd: -1; it must be >= 0"),
                Arguments.of(
                        "softmax(dim=1)", "Bad value for softmax parameter dim: 1; it must be 0"),
                Arguments.of("softmax(temperature=0)", "temperature: 0; it must be > 0"),
                Arguments.of("hardtanh(1, -1)", "min_val (1) must be less than max_val (-1)"),
                Arguments.of("rrelu(0.5, 0.1)", "lower (0.5) must not exceed upper (0.1)"),
                Arguments.of("celu(0)", "celu parameter alpha: 0; it must be non-zero"),
                Arguments.of("softplus(beta=0)", "softplus parameter beta: 0; it must be non-zero"),
                Arguments.of(
                        "relu(",
                        "Bad activation spec: Cannot parse 'relu(': expected a value at the end"),
                Arguments.of("leaky_relu(0.2", "expected ',' or ')' at the end"),
                Arguments.of("relu)", "unexpected ')' at position 5"),
                Arguments.of("gelu(approximate='tanh)", "unterminated quote"));
    }

    @ParameterizedTest
    @MethodSource("badSpecs")
    void badSpecsSayWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> ActivationSpec.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void theTutorialsTanhAndSoftmaxAreNotItsSigmoidNumbers() {
        // the tutorial printed Sigmoid's numbers for Tanh and Softmax; PyTorch's are these
        float[] x = {1, -2, 3, -5};
        float[] tanh = x.clone();
        Kernels.get().kernel(ActivationSpec.parse("Tanh")).applyInPlace(tanh);
        assertThat(tanh).containsExactly(0.7615942f, -0.9640276f, 0.9950548f, -0.9999092f);
        float[] softmax = x.clone();
        Kernels.get().kernel(ActivationSpec.parse("Softmax(dim=0)")).applyInPlace(softmax);
        assertThat(softmax[0]).isCloseTo(0.11846485f, org.assertj.core.data.Offset.offset(1e-7f));
        assertThat(softmax[3])
                .isCloseTo(0.00029364502f, org.assertj.core.data.Offset.offset(1e-10f));
    }

    @Test
    void usageListsEveryOpWithDefaults() {
        String usage = Activation.usage();
        for (Activation a : Activation.values()) {
            assertThat(usage).contains(a.functionalName());
        }
        assertThat(usage)
                .contains(
                        "softplus(beta=1, threshold=20)",
                        "threshold(threshold, value)",
                        "gelu(approximate=none|tanh)",
                        "rrelu(lower=0.125, upper=0.3333333333333333)");
    }
}
