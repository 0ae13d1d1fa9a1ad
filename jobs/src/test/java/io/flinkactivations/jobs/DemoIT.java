package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.testutils.ScriptRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, {@code bin/activations demo}, as a user runs it: a real broker and a
 * local Flink in one JVM, bounded, and the results it prints are PyTorch's.
 */
class DemoIT {
    private static final Path ROOT = ScriptRun.ROOT;

    @Test
    void theDemoRunsToTheEndAndPrintsPyTorchsNumbers() throws Exception {
        assertThat(Files.readString(ROOT.resolve("README.md"))).contains("bin/activations demo");
        ScriptRun r = ScriptRun.run(ROOT.resolve("bin/activations"), "", "demo");
        String out = r.out();
        assertThat(r.exitCode()).as(out + r.err()).isZero();
        assertThat(out)
                .contains("[demo] broker ready at", "[demo] job finished in", "[demo] done in");
        List<String> tutorial =
                out.lines()
                        .filter(l -> l.startsWith("[1.0000, -2.0000, 3.0000, -5.0000]"))
                        .toList();
        assertThat(tutorial)
                .singleElement()
                .satisfies(
                        row ->
                                assertThat(row)
                                        .contains(
                                                "[1.0000, 0.0000, 3.0000, 0.0000]", // ReLU
                                                "[1.0000, -0.4000, 3.0000, -1.0000]", // LeakyReLU(0.2)
                                                "[0.7311, 0.1192, 0.9526, 0.0067]", // Sigmoid
                                                "[0.7616, -0.9640, 0.9951, -0.9999]", // Tanh (the
                                                // tutorial
                                                // printed
                                                // Sigmoid's
                                                // numbers)
                                                "[0.1185, 0.0059, 0.8753, 2.9365e-04]")); // Softmax(dim=0)
        // windowed softmax: per key and feature, the window's outputs sum to 1; min_max: per key
        // and feature, the window's outputs run from exactly 0 to exactly 1
        Pattern row =
                Pattern.compile(
                        "^(sensor-[ab])\\s+\\[[^]]*]\\s+\\[([-0-9.e]+), ([-0-9.e]+)]"
                                + "\\s+\\[([-0-9.e]+), ([-0-9.e]+)]\\s+count 3$");
        double[][] sums = new double[2][2];
        java.util.Set<String> scaled = new java.util.HashSet<>();
        int rows = 0;
        for (String line : out.lines().toList()) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                int k = m.group(1).equals("sensor-a") ? 0 : 1;
                sums[k][0] += Double.parseDouble(m.group(2));
                sums[k][1] += Double.parseDouble(m.group(3));
                scaled.add(k + " 0 " + m.group(4));
                scaled.add(k + " 1 " + m.group(5));
                rows++;
            }
        }
        assertThat(rows).isEqualTo(6);
        for (double[] s : sums) {
            assertThat(s[0]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(2e-4));
            assertThat(s[1]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(2e-4));
        }
        for (String key : java.util.List.of("0", "1")) {
            for (String feature : java.util.List.of("0", "1")) {
                assertThat(scaled)
                        .contains(key + " " + feature + " 0.0000", key + " " + feature + " 1.0000");
            }
        }
        assertThat(out)
                .contains(
                        "Dead letter (demo-out-0-dlq): {\"id\":\"bad\",\"features\":[1, \"two\"]}  reason=wrong-type");
        // the same topic through Flink SQL: GELU(tanh) and SOFTMAX of the tutorial's vector; the
        // bad
        // record's unparsable element is NULL, which SOFTMAX skips
        assertThat(out).contains("Flink SQL on the same topic", DemoCommand.SQL_QUERY);
        assertThat(out.lines().filter(l -> l.startsWith("v0 ")).toList())
                .singleElement()
                .satisfies(
                        l ->
                                assertThat(l)
                                        .contains(
                                                "[0.8412, -0.0454, 2.9964, -2.2918e-07]",
                                                "[0.1185, 0.0059, 0.8753, 2.9365e-04]"));
        assertThat(out.lines().filter(l -> l.startsWith("bad ")).toList())
                .singleElement()
                .satisfies(l -> assertThat(l).contains("[0.8412, NULL]", "[1.0000, NULL]"));
        assertThat(r.err()).contains("Activation kernels: vector").doesNotContain("Exception");
    }
}
