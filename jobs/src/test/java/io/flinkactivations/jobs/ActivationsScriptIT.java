package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkactivations.testutils.GoldenCase;
import io.flinkactivations.testutils.GoldenRule;
import io.flinkactivations.testutils.ScriptRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/activations apply} as a user runs it, on the packaged project: the tutorial's {@code
 * [1, -2, 3, -5]} gives PyTorch's outputs (checked against the golden rows with the golden rule).
 */
class ActivationsScriptIT {
    private static final Path ROOT = ScriptRun.ROOT;
    private static final Path SCRIPT = ROOT.resolve("bin/activations");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theTutorialsVectorGivesPyTorchsOutputs() throws Exception {
        // spec as a user writes it -> the golden row it must match
        String[][] rows = {
            {"ReLU", "relu"},
            {"LeakyReLU(0.2)", "leaky_relu(negative_slope=0.2)"},
            {"Sigmoid", "sigmoid"},
            {"Tanh", "tanh"},
            {"Softmax(dim=0)", "softmax"},
        };
        for (String[] row : rows) {
            GoldenCase golden =
                    GoldenCase.all().stream()
                            .filter(
                                    c ->
                                            c.caseName().equals("seed_example")
                                                    && c.spec().equals(row[1]))
                            .findFirst()
                            .orElseThrow();
            ScriptRun r =
                    ScriptRun.run(
                            SCRIPT,
                            "{\"id\": \"tutorial\", \"features\": [1, -2, 3, -5]}\n",
                            "apply",
                            "--activation",
                            row[0]);
            assertThat(r.exitCode()).as(r.err()).isZero();
            JsonNode out = JSON.readTree(r.out());
            assertThat(out.get("id").asText()).isEqualTo("tutorial");
            float[] actual = new float[4];
            for (int i = 0; i < 4; i++) {
                actual[i] = (float) GoldenCase.doubles(out.get("features"))[i];
            }
            assertThat(
                            GoldenRule.check(
                                    row[0],
                                    GoldenRule.Scale.of(golden.op()),
                                    golden.input(),
                                    4,
                                    1,
                                    golden.expected(),
                                    golden.expectedF64(),
                                    actual))
                    .isNull();
            assertThat(r.err()).as("quiet without --verbose").doesNotContain("Activation kernels");
        }
        ScriptRun verbose = ScriptRun.run(SCRIPT, "[1, -2]\n", "apply", "--verbose", "-a", "relu");
        assertThat(verbose.out().strip()).isEqualTo("[1.0,0.0]");
        assertThat(verbose.err()).contains("Activation kernels: vector").doesNotContain("WARNING");
    }

    @Test
    void theReadmeExampleOutputIsTrue() throws Exception {
        // README.md shows this command and its output; keep them in step
        String readme = Files.readString(ROOT.resolve("README.md"));
        ScriptRun batch =
                ScriptRun.run(
                        SCRIPT,
                        "{\"id\":\"a\",\"features\":[1,0]}\n{\"id\":\"b\",\"features\":[2,0]}\n",
                        "apply",
                        "-a",
                        "softmax",
                        "-w",
                        "count(2)");
        assertThat(batch.exitCode()).isZero();
        assertThat(batch.out().lines())
                .containsExactly(
                        "{\"id\":\"a\",\"features\":[0.26894143,0.5]}",
                        "{\"id\":\"b\",\"features\":[0.7310586,0.5]}");
        assertThat(readme)
                .contains("bin/activations apply -a softmax -w 'count(2)'", batch.out().strip());
        // the values the tutorial got wrong: PyTorch's Tanh and Softmax of [1, -2, 3, -5]
        ScriptRun tanh = ScriptRun.run(SCRIPT, "[1, -2, 3, -5]\n", "apply", "--activation", "Tanh");
        ScriptRun softmax =
                ScriptRun.run(
                        SCRIPT, "[1, -2, 3, -5]\n", "apply", "--activation", "Softmax(dim=0)");
        assertThat(tanh.out().strip()).isEqualTo("[0.7615942,-0.9640276,0.9950548,-0.9999092]");
        assertThat(softmax.out().strip())
                .isEqualTo("[0.11846486,0.005898018,0.8753435,2.9364502E-4]");
    }

    @Test
    void aBadLineMakesTheExitCodeNonZero() throws Exception {
        ScriptRun r = ScriptRun.run(SCRIPT, "[1]\noops\n[2]\n", "apply", "-a", "relu");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out().lines()).containsExactly("[1.0]", "[2.0]");
        assertThat(r.err()).contains("line 2: malformed-json");
    }

    @Test
    void withoutTheBuiltJarsItSaysHowToBuildThem(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(SCRIPT.resolveSibling("launcher.sh"), bin.resolve("launcher.sh"));
        for (String launcher : List.of("activations", "bench-job")) {
            Path copy = Files.copy(SCRIPT.resolveSibling(launcher), bin.resolve(launcher));
            ScriptRun r = ScriptRun.run(copy, "", "--help");
            assertThat(r.exitCode()).as(launcher + ": " + r.err()).isEqualTo(2);
            assertThat(r.err())
                    .contains(
                            launcher + ": the project is not built yet",
                            "mvn -B -q install -DskipTests");
        }
    }
}
