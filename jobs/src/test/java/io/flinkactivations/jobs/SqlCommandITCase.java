package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code activations sql FILE} on its local Flink: the example script, and a script that fails. */
class SqlCommandITCase {

    @TempDir Path dir;

    @Test
    void runsTheExampleScriptAndPrintsItsRows() throws Exception {
        Result r = run(Path.of("..", "examples", "sql", "activations.sql").toString());
        assertThat(r.exit).as(r.err).isZero();
        // the tutorial's vector: relu, leaky_relu(0.2), then softmax [0.11846486, 0.005898018,
        // 0.8753435, 2.9364502E-4]
        assertThat(r.out)
                .contains(
                        "[1.0, 0.0, 3.0, 0.0]",
                        "[1.0, -0.4, 3.0, -1.0]",
                        "[0.11846486, 0.005898018, 0.8753435, 2.9364502E-4]");
        // a NULL element stays NULL and softmax skips it
        assertThat(r.out).contains("b | [0.5, null, 2.0, 0.0] | [0.5, null, 2.0, 0.0] |");
        assertThat(r.out.lines().findFirst())
                .hasValue("id | relu | leaky_relu | gelu_tanh | softmax | softmax_t2");
    }

    @Test
    void aFailingStatementStopsTheScriptWithOneLine() throws Exception {
        Path script = dir.resolve("bad.sql");
        Files.writeString(
                script, "SELECT 1;\n\nSELECT GELU(ARRAY[CAST(1 AS FLOAT)], 'fast');\nSELECT 2;\n");
        Result r = run(script.toString());
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err.strip())
                .isEqualTo(
                        "sql: statement 2 (line 3) failed: IllegalArgumentException: "
                                + "Bad value for gelu parameter approximate: 'fast'; valid values: none, tanh");
    }

    @Test
    void aMissingScriptIsABadArgument() throws Exception {
        Result r = run(dir.resolve("none.sql").toString());
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("sql: cannot read the script");
    }

    private record Result(int exit, String out, String err) {}

    private static Result run(String file) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int exit;
        System.setOut(
                new PrintStream(
                        stdout,
                        true,
                        StandardCharsets.UTF_8)); // TableResult.print writes to System.out
        try {
            CommandLine cmd = ActivationsCli.commandLine(new ActivationsCli());
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(err, true));
            exit = cmd.execute("sql", file);
        } finally {
            System.setOut(old);
        }
        return new Result(exit, out + stdout.toString(StandardCharsets.UTF_8), err.toString());
    }
}
