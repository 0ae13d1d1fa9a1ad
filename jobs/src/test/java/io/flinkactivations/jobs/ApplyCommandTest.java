package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import java.io.StringWriter;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code activations apply} in process: formats, windows, bad lines and bad arguments. */
class ApplyCommandTest {

    record Result(int exitCode, List<String> out, String err) {}

    static Result apply(String stdin, String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        CommandLine cmd =
                new CommandLine(
                        new ApplyCommand(
                                new java.io.ByteArrayInputStream(
                                        stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                                out,
                                err));
        cmd.setErr(new java.io.PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Result(
                code,
                out.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList(),
                err.toString());
    }

    @Test
    void keepsOtherFieldsAndTheirOrder() {
        Result r =
                apply(
                        "{\"id\": \"a\", \"features\": [1, -2, 3, -5], \"meta\": {\"k\": [1]}}\n",
                        "--activation",
                        "relu");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out())
                .containsExactly(
                        "{\"id\": \"a\", \"features\": [1.0,0.0,3.0,0.0], \"meta\": {\"k\": [1]}}");
    }

    @Test
    void bareArraysInGiveBareArraysOut() {
        Result r = apply("[1, -2, 3, -5]\n", "-a", "LeakyReLU(0.2)");
        assertThat(r.out()).containsExactly("[1.0,-0.4,3.0,-1.0]");
    }

    @Test
    void nonFiniteNumbersBareOrAsStringsInStringsOut() {
        Result r = apply("[NaN, \"Infinity\", -Infinity, \"-Infinity\", 1]\n", "-a", "relu");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).containsExactly("[\"NaN\",\"Infinity\",0.0,0.0,1.0]");
        Result t = apply("[Infinity]\n", "-a", "tanhshrink");
        assertThat(t.out()).containsExactly("[\"Infinity\"]");
    }

    @Test
    void aCountWindowNormalisesEachFeatureAcrossItsLines() {
        Result r = apply("[1, 0]\n[2, 0]\n[3, 5]\n", "-a", "softmax", "--window", "count(2)");
        assertThat(r.exitCode()).isZero();
        // lines 1-2 form one batch: softmax([1, 2]) = [0.2689, 0.7311] and softmax([0, 0]) = [0.5,
        // 0.5];
        // line 3 is a batch of one: 1 everywhere
        assertThat(r.out()).containsExactly("[0.26894143,0.5]", "[0.7310586,0.5]", "[1.0,1.0]");
    }

    @Test
    void badLinesAreReportedWithTheirNumberAndTheRestIsProcessed() {
        String in =
                String.join(
                                "\n",
                                "[1, -2]",
                                "not json",
                                "{\"id\": 1}",
                                "{\"features\": \"1,2\"}",
                                "[1, \"two\"]",
                                "[]",
                                "",
                                "[true]",
                                "{\"features\": [5]}",
                                "[1, 2] trailing")
                        + "\n";
        Result r = apply(in, "-a", "relu");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).containsExactly("[1.0,0.0]", "{\"features\": [5.0]}");
        assertThat(r.err().lines().toList())
                .hasSize(7)
                .satisfiesExactly(
                        l -> assertThat(l).startsWith("line 2: malformed-json: "),
                        l ->
                                assertThat(l)
                                        .isEqualTo(
                                                "line 3: missing-features: the object has no \"features\" field"),
                        l ->
                                assertThat(l)
                                        .isEqualTo(
                                                "line 4: wrong-type: \"features\" is the string \"1,2\", not an array"),
                        l ->
                                assertThat(l)
                                        .isEqualTo(
                                                "line 5: wrong-type: features[1] is the string \"two\", not a number"),
                        l ->
                                assertThat(l)
                                        .isEqualTo(
                                                "line 6: empty-vector: the feature vector is empty"),
                        l ->
                                assertThat(l)
                                        .isEqualTo(
                                                "line 8: wrong-type: features[0] is a boolean, not a number"),
                        l -> assertThat(l).startsWith("line 10: malformed-json: "));
    }

    @Test
    void invalidUtf8IsReported() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        byte[] in =
                "{\"id\": \"\u00ff\", \"features\": [1]}\n[2]\n"
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int code =
                new CommandLine(new ApplyCommand(new java.io.ByteArrayInputStream(in), out, err))
                        .execute("-a", "relu");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).startsWith("line 1: invalid-utf8: the value is not valid UTF-8");
        assertThat(out.toString()).isEqualTo("[2.0]\n");
    }

    @Test
    void aLineOfAnotherDimensionIsNotMixedIntoAWindow() {
        Result r = apply("[1, 2]\n[1, 2, 3]\n[1, 2]\n", "-a", "softmax", "-w", "count(2)");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err())
                .contains(
                        "line 2: dimension-mismatch: the vector has 3 features, the window's first (line 1) has 2");
        assertThat(r.out()).containsExactly("[0.5,0.5]", "[0.5,0.5]");
    }

    @Test
    void chainsGroupsAndNormalizationsRunAsTheKernelsDo() {
        Result r = apply("[1, 2, 3, 4]\n[1, 2, 3]\n", "-a", "layer_norm | softmax(groups=2)");
        assertThat(r.exitCode()).isEqualTo(1);
        float[] expected = {1, 2, 3, 4};
        Kernels.get()
                .kernel(ActivationSpec.parse("layer_norm | softmax(groups=2)"))
                .applyInPlace(expected);
        StringJoiner json = new StringJoiner(",", "[", "]");
        for (float v : expected) {
            json.add(Float.toString(v));
        }
        assertThat(r.out()).containsExactly(json.toString());
        assertThat(r.err())
                .contains(
                        "line 2: dimension-mismatch: the vector has 3 features; softmax(groups=2) needs a multiple of 2");
        // a window of one record is normalised along dim 0 too: softmax of one value is 1
        assertThat(apply("[1, 2]\n", "-a", "softmax", "-w", "count(1)").out())
                .containsExactly("[1.0,1.0]");
        assertThat(apply("[1, 10]\n[3, 10]\n", "-a", "min_max | relu", "-w", "count(2)").out())
                .containsExactly("[0.0,0.0]", "[1.0,0.0]");
    }

    @Test
    void badArgumentsStopWithAMessageThatSaysWhatToFix() {
        assertThat(apply("", "-a", "relu", "-w", "count(2)"))
                .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2))
                .satisfies(
                        r ->
                                assertThat(r.err())
                                        .contains(
                                                "relu has no step along dim 0, so a window changes nothing"));
        assertThat(apply("", "-a", "layer_norm | min_max").err())
                .contains(
                        "--activation: min_max normalises each feature across a window's records, so it needs a window")
                .contains("give --window count(N)");
        assertThat(apply("", "-a", "softmax", "-w", "tumbling(10s)").err())
                .contains(
                        "apply batches lines by count only, e.g. count(100); tumbling(10s) needs event time");
        assertThat(apply("", "-a", "softmax", "-w", "count(0)").err())
                .contains("--window: Bad window count(0): n must be a positive whole number");
        assertThat(apply("", "-a", "leaky_relu(slope=2)").err())
                .contains(
                        "--activation: Unknown parameter 'slope' for leaky_relu; did you mean 'negative_slope'? valid parameters: leaky_relu(negative_slope=0.01)");
        assertThat(apply("").err()).contains("Missing required option: '--activation=SPEC'");
    }
}
