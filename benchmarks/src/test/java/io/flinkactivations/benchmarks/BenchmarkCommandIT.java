package io.flinkactivations.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkactivations.testutils.ScriptRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The README's compute-core report, {@code bin/benchmark}, as a user runs it on the packaged jar,
 * kept small with short iterations: two ops at one size for the per-op table and the chart, and
 * every benchmark class with one case each for the window, JSON and state tables. JMH runs,
 * PyTorch's kernels run where Python has torch (CI installs it), and the tables' and the chart's
 * numbers hang together. No speed is asserted: that is what the benchmark is for.
 */
class BenchmarkCommandIT {
    private static final Path SCRIPT = ScriptRun.ROOT.resolve("bin/benchmark");
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final String[] SHORT_RUNS = {
        "--", "-f", "1", "-wi", "1", "-w", "1s", "-i", "1", "-r", "500ms"
    };
    private static final String NUMBER = "([0-9][0-9,]*(?:\\.[0-9])?)";
    private static final String RATIO = "([0-9]+\\.[0-9]{2})";
    private static final Pattern ROW =
            Pattern.compile(
                    "^\\| (\\S+(?: in place)?) \\| ([0-9]+) \\| "
                            + NUMBER
                            + " \\| "
                            + NUMBER
                            + " \\| "
                            + RATIO
                            + " \\| "
                            + RATIO
                            + " \\|(?: "
                            + NUMBER
                            + " \\| "
                            + RATIO
                            + " \\|)?$");
    private static final Pattern COPY_BOUND =
            Pattern.compile(
                    "(?m)^Copy bound, .*: 1024: "
                            + NUMBER
                            + " \\(arraycopy "
                            + NUMBER
                            + ", vector loop "
                            + NUMBER
                            + ", plain loop "
                            + NUMBER
                            + "\\)$");
    private static final Pattern IN_PLACE_BOUND =
            Pattern.compile(
                    "(?m)^In-place bound .*: 1024: "
                            + NUMBER
                            + " \\(vector loop "
                            + NUMBER
                            + ", plain loop "
                            + NUMBER
                            + "\\)$");
    private static final Pattern GEOMETRIC_MEAN =
            Pattern.compile(
                    "(?m)^Geometric mean of ours/PyTorch at size 1024: ([0-9.]+)x over 2 ops$");

    @Test
    void printsTheOpsAgainstTheCopyBoundAndPyTorchAndDrawsTheChart(@TempDir Path out)
            throws Exception {
        String[] args =
                concat(
                        new String[] {
                            "--kernels",
                            "--ops",
                            "relu,softmax",
                            "--sizes",
                            "1024",
                            "--out",
                            out.toString()
                        },
                        SHORT_RUNS);
        ScriptRun r = ScriptRun.run(SCRIPT, "", TIMEOUT, args);
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).as(r.out()).containsPattern("(?m)\\Amachine: [0-9]+ cores, .*");
        boolean torch = pythonHasTorch();

        List<Matcher> rows = r.out().lines().map(ROW::matcher).filter(Matcher::matches).toList();
        assertThat(rows)
                .as(r.out())
                .extracting(m -> m.group(1) + " " + m.group(2))
                .containsExactly("relu 1024", "softmax 1024");
        Matcher bound = COPY_BOUND.matcher(r.out());
        assertThat(bound.find()).as(r.out()).isTrue();
        // the bound is the fastest of the three copies
        assertThat(
                        Math.max(
                                number(bound.group(2)),
                                Math.max(number(bound.group(3)), number(bound.group(4)))))
                .isEqualTo(number(bound.group(1)));
        double logSum = 0;
        for (Matcher row : rows) {
            double vector = number(row.group(3));
            assertThat(vector).as(row.group()).isPositive();
            assertThat(number(row.group(4))).as(row.group()).isPositive();
            assertRatio(row.group(5), row.group(3), row.group(4), row.group());
            assertRatio(row.group(6), row.group(3), bound.group(1), row.group());
            assertThat(row.group(7) != null)
                    .as("a PyTorch column where python3 has torch: " + row.group())
                    .isEqualTo(torch);
            if (torch) {
                assertThat(number(row.group(7))).as(row.group()).isPositive();
                assertRatio(row.group(8), row.group(3), row.group(7), row.group());
                logSum += Math.log(vector / number(row.group(7)));
            }
        }
        String chart = Files.readString(out.resolve("benchmark-chart.svg"));
        for (Matcher row : rows) {
            assertThat(bar(chart, row.group(1), "ours"))
                    .as(chart)
                    .isCloseTo(number(row.group(3)), Offset.offset(1.0));
            if (torch) {
                assertThat(bar(chart, row.group(1), "PyTorch"))
                        .as(chart)
                        .isCloseTo(number(row.group(7)), Offset.offset(1.0));
            }
        }
        assertThat(chart).contains("stroke=\"#d62728\""); // the copy bound's line
        if (torch) {
            Matcher mean = GEOMETRIC_MEAN.matcher(r.out());
            assertThat(mean.find()).as(r.out()).isTrue();
            double expected = Math.exp(logSum / 2);
            assertThat(Double.parseDouble(mean.group(1)))
                    .as(r.out())
                    .isBetween(expected * 0.97 - 0.005, expected * 1.03 + 0.005);
            assertThat(r.out()).containsPattern("(?m)^PyTorch .* with 1 thread\\(s\\)\\.$");
            // PyTorch timed what JMH ran, not its whole list
            assertThat(Files.readString(out.resolve("pytorch.json")))
                    .contains("\"relu\": {", "\"softmax\": {")
                    .doesNotContain("\"gelu\"");
        } else {
            assertThat(r.out()).contains("(no python3 with torch: the PyTorch column is left out");
        }
        // what it printed is kept beside JMH's own results
        assertThat(r.out()).contains(Files.readString(out.resolve("table.md")));
        assertThat(out.resolve("jmh.json")).isNotEmptyFile();
    }

    private static final Pattern WINDOW_ROW =
            Pattern.compile(
                    "^\\| softmax \\| (batch|onlineUpdateMerge) \\| 10 x 64 \\| (vector|scalar) \\| "
                            + NUMBER
                            + " \\| ([0-9.]+) \\|$");
    private static final Pattern OPERATOR_ROW =
            Pattern.compile(
                    "^\\| softmax \\| 10 x 64 \\| "
                            + NUMBER
                            + " \\| "
                            + NUMBER
                            + " \\| "
                            + RATIO
                            + " \\| ([0-9]+) \\| ([0-9]+) \\|$");
    private static final Pattern JSON_ROW =
            Pattern.compile(
                    "^\\| 64 \\| up to 9 digits \\(Float.toString\\) \\| ([0-9.]+) \\| ([0-9.]+) \\|$");
    private static final Pattern STATE_ROW =
            Pattern.compile(
                    "^\\| (tumbling\\(1h\\)|sliding\\(1h, 6m\\)|count\\(1000000\\)) \\| (f32le|json) \\| ([0-9]+) \\| ([0-9]+)"
                            + " \\| ([0-9.]+) \\| ([0-9.]+)x \\|$");

    @Test
    void theWindowOperatorTableKeepsEachOpsOwnRows(@TempDir Path results) throws Exception {
        // the full run measures softmax and batch_norm at the same windows and sizes; JMH's results
        // as it writes them, with times no run gives, so that a row shows whose it is
        StringBuilder jmh = new StringBuilder("[");
        String[][] runs = {
            {"softmax", "tumbling", "2.0"},
            {"softmax", "sliding", "1.0"},
            {"batch_norm", "tumbling", "8.0"},
            {"batch_norm", "sliding", "6.0"}
        };
        for (String[] r : runs) {
            jmh.append(jmh.length() > 1 ? "," : "")
                    .append(
                            "{\"benchmark\":\"io.flinkactivations.kafka.WindowOperatorBenchmark"
                                    + ".fireOneWindow\",\"params\":{\"op\":\"")
                    .append(r[0])
                    .append("\",\"window\":\"")
                    .append(r[1])
                    .append("\",\"rows\":\"10\",\"cols\":\"64\"},\"primaryMetric\":{\"score\":")
                    .append(r[2])
                    .append(",\"scoreUnit\":\"us/op\"}}");
        }
        Files.writeString(results.resolve("jmh.json"), jmh.append("]"));
        ScriptRun r =
                ScriptRun.run(
                        Path.of("python3"),
                        "",
                        Duration.ofSeconds(30),
                        ScriptRun.ROOT.resolve("benchmarks/report.py").toString(),
                        results.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().lines().filter(l -> l.contains(" x 64 |")))
                .containsExactly(
                        "| softmax | 10 x 64 | 2.0 | 1.0 | 0.50 | 200 | 100 |",
                        "| batch_norm | 10 x 64 | 8.0 | 6.0 | 0.75 | 800 | 600 |");
    }

    @Test
    void aFullRunAddsTheWindowTablesAndTheStatePerRecordWithinTwiceTheRawFloats(@TempDir Path out)
            throws Exception {
        // the full command, every benchmark class, each kept to one case (JMH's -p goes to each
        // class that has it)
        String[] args =
                concat(
                        new String[] {
                            "--sizes",
                            "1024",
                            "--out",
                            out.toString(),
                            "--",
                            "-p",
                            "op=softmax",
                            "-p",
                            "rows=10",
                            "-p",
                            "numbers=float"
                        },
                        Arrays.copyOfRange(SHORT_RUNS, 1, SHORT_RUNS.length));
        ScriptRun r = ScriptRun.run(SCRIPT, "", TIMEOUT, args);
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out().lines().map(ROW::matcher).filter(Matcher::matches).map(m -> m.group(1)))
                .as(r.out())
                .containsExactly("softmax");

        List<Matcher> batches =
                r.out().lines().map(WINDOW_ROW::matcher).filter(Matcher::matches).toList();
        assertThat(batches)
                .as(r.out())
                .extracting(m -> m.group(1) + " " + m.group(2))
                .containsExactlyInAnyOrder(
                        "batch vector",
                        "batch scalar",
                        "onlineUpdateMerge vector",
                        "onlineUpdateMerge scalar");
        for (Matcher row : batches) { // ns per element = 1,000 / Melem/s
            String melems = row.group(3);
            double half = melems.contains(".") ? 0.05 : 0.5;
            assertThat(Double.parseDouble(row.group(4)))
                    .as(row.group())
                    .isBetween(
                            1e3 / (number(melems) + half) - 0.005,
                            1e3 / (number(melems) - half) + 0.005);
        }

        Matcher operator =
                r.out()
                        .lines()
                        .map(OPERATOR_ROW::matcher)
                        .filter(Matcher::matches)
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                "no operator row for 10 x 64 in " + r.out()));
        assertRatio(operator.group(3), operator.group(2), operator.group(1), operator.group());
        for (int column = 1;
                column <= 2;
                column++) { // ns per record = us per window x 1,000 / 10 records
            String micros = operator.group(column);
            double half = micros.contains(".") ? 0.05 : 0.5;
            assertThat(Double.parseDouble(operator.group(column + 3)))
                    .as(operator.group())
                    .isBetween(
                            Math.floor((number(micros) - half) * 100),
                            Math.ceil((number(micros) + half) * 100));
        }

        Matcher json =
                r.out()
                        .lines()
                        .map(JSON_ROW::matcher)
                        .filter(Matcher::matches)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no JSON row in " + r.out()));
        assertThat(Double.parseDouble(json.group(1))).as(json.group()).isPositive();
        assertThat(Double.parseDouble(json.group(2))).as(json.group()).isPositive();

        // the issue's target: state per buffered record at most 2x its raw float bytes (snapshot
        // sizes, not
        // timings: the same on every run); JSON records also keep their other fields, which
        // outweigh 16 floats
        List<Matcher> state =
                r.out().lines().map(STATE_ROW::matcher).filter(Matcher::matches).toList();
        assertThat(state).as(r.out()).hasSize(18);
        for (Matcher row : state) {
            int d = Integer.parseInt(row.group(3));
            assertThat(Integer.parseInt(row.group(4))).isEqualTo(4 * d);
            double perRecord = Double.parseDouble(row.group(5));
            assertThat(Double.parseDouble(row.group(6)))
                    .as(row.group())
                    .isCloseTo(perRecord / (4.0 * d), Offset.offset(0.006));
            if (row.group(2).equals("f32le") || d >= 64) {
                assertThat(perRecord)
                        .as(row.group())
                        .isGreaterThanOrEqualTo(4.0 * d)
                        .isLessThanOrEqualTo(2 * 4.0 * d);
            }
        }
    }

    @Test
    void inPlaceRunsTheOpsOnTheirOwnOutputAgainstTheInPlaceBoundAndPyTorchsInPlaceForm(
            @TempDir Path out) throws Exception {
        String[] args =
                concat(
                        new String[] {
                            "--in-place",
                            "--ops",
                            "relu",
                            "--sizes",
                            "1024",
                            "--out",
                            out.toString()
                        },
                        SHORT_RUNS);
        ScriptRun r = ScriptRun.run(SCRIPT, "", TIMEOUT, args);
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        List<Matcher> rows = r.out().lines().map(ROW::matcher).filter(Matcher::matches).toList();
        assertThat(rows)
                .as(r.out())
                .extracting(m -> m.group(1) + " " + m.group(2))
                .containsExactly("relu in place 1024");
        Matcher row = rows.get(0);
        Matcher bound = IN_PLACE_BOUND.matcher(r.out());
        assertThat(bound.find()).as(r.out()).isTrue();
        assertThat(Math.max(number(bound.group(2)), number(bound.group(3))))
                .isEqualTo(number(bound.group(1)));
        // the ratio is to the in-place bound, not to the copy bound
        assertRatio(row.group(6), row.group(3), bound.group(1), row.group());
        if (pythonHasTorch()) {
            assertRatio(row.group(8), row.group(3), row.group(7), row.group());
            assertThat(Files.readString(out.resolve("pytorch.json")))
                    .contains("\"relu in place\": {")
                    .doesNotContain("\"relu\": {");
            // in place is no op of the 29: the geometric mean leaves it out
            assertThat(r.out()).doesNotContain("Geometric mean");
        }
    }

    private static final Pattern ROUNDS_ROW =
            Pattern.compile(
                    "^\\| relu \\| 1024 \\| "
                            + RATIO
                            + " \\| "
                            + RATIO
                            + " \\| "
                            + RATIO
                            + " \\| "
                            + RATIO
                            + " \\|$");

    @Test
    void roundsRunOursAndPyTorchsInTurnAndPrintEachRoundsRatioAndTheirMedian(@TempDir Path out)
            throws Exception {
        String[] args =
                concat(
                        new String[] {
                            "--kernels",
                            "--ops",
                            "relu",
                            "--sizes",
                            "1024",
                            "--rounds",
                            "3",
                            "--out",
                            out.toString()
                        },
                        SHORT_RUNS);
        Files.createDirectories(out.resolve("round-4")); // an earlier run's, which must not count
        ScriptRun r = ScriptRun.run(SCRIPT, "", TIMEOUT, args);
        if (!pythonHasTorch()) {
            assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(2);
            assertThat(r.err()).contains("bin/benchmark: --rounds compares ours with PyTorch");
            return;
        }
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(out.resolve("round-4")).doesNotExist();
        Matcher main =
                r.out()
                        .lines()
                        .map(ROW::matcher)
                        .filter(Matcher::matches)
                        .findFirst()
                        .orElseThrow();
        Matcher row =
                r.out()
                        .lines()
                        .map(ROUNDS_ROW::matcher)
                        .filter(Matcher::matches)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no rounds row in " + r.out()));
        assertThat(r.out()).contains("ours/PyTorch by round (3 rounds");
        // round 1 is the run of the main table; rounds 2 and 3 are their own JMH and PyTorch runs
        assertThat(row.group(1)).as(r.out()).isEqualTo(main.group(8));
        double[] ratios = new double[3];
        for (int k = 1; k <= 3; k++) {
            Path round = k == 1 ? out : out.resolve("round-" + k);
            ratios[k - 1] = reluRatio(round);
            assertThat(Double.parseDouble(row.group(k)))
                    .as("round " + k + ": " + r.out())
                    .isCloseTo(ratios[k - 1], Offset.offset(0.0051));
        }
        Arrays.sort(ratios);
        assertThat(Double.parseDouble(row.group(4)))
                .as("the median: " + r.out())
                .isCloseTo(ratios[1], Offset.offset(0.0051));
        assertThat(r.out())
                .containsPattern(
                        "(?m)^Geometric mean of the medians at size 1024: "
                                + Pattern.quote(row.group(4))
                                + "x over 1 ops$");
    }

    /** ours (vector) / PyTorch for relu at 1024 from a round's own JMH and PyTorch results. */
    private static double reluRatio(Path round) throws IOException {
        ObjectMapper json = new ObjectMapper();
        double ours = Double.NaN;
        for (JsonNode run : json.readTree(round.resolve("jmh.json").toFile())) {
            if (run.path("params").path("impl").asText().equals("vector")) {
                ours = run.path("primaryMetric").path("score").asDouble() * 1024 / 1e6;
            }
        }
        double torch =
                json.readTree(round.resolve("pytorch.json").toFile())
                        .path("relu")
                        .path("1024")
                        .asDouble();
        assertThat(ours).as("our relu in " + round).isPositive();
        assertThat(torch).as("PyTorch's relu in " + round).isPositive();
        return ours / torch;
    }

    @Test
    void aBenchmarkThatFailsStopsTheCommandWithoutATable(@TempDir Path out) throws Exception {
        String[] args =
                concat(
                        new String[] {
                            "--kernels", "--ops", "nosuch", "--sizes", "16", "--out", out.toString()
                        },
                        SHORT_RUNS);
        ScriptRun r = ScriptRun.run(SCRIPT, "", TIMEOUT, args);
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.err()).contains("Unknown activation 'nosuch'", "bin/benchmark: JMH failed");
        assertThat(out.resolve("table.md")).doesNotExist();
        assertThat(r.out()).doesNotContain("| op | size |");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                "--ops relu; --ops chooses among the per-op benchmarks only; add --kernels",
                "--kernels --ops threshold(0.1,20); --ops takes op names separated by commas",
                "--sizes 1k; --sizes takes sizes separated by commas",
                "--out; --out needs a value",
                "--fast; unknown argument '--fast'",
                "--in-place --ops leaky_relu; --in-place runs only relu,relu6,hardtanh,hardsigmoid"
                        + " (got 'leaky_relu')",
                "--kernels --rounds 0; --rounds takes a whole number of rounds, 1 or more",
                "--kernels --rounds five; --rounds takes a whole number of rounds, 1 or more",
                "--rounds 3; --rounds repeats the per-op benchmarks and PyTorch's, which the window"
                        + " benchmarks have no side of; add --kernels",
            })
    void aBadArgumentSaysWhatToFix(String args, String message) throws Exception {
        ScriptRun r = ScriptRun.run(SCRIPT, "", args.split(" "));
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains("bin/benchmark: " + message);
        assertThat(r.out()).isEmpty(); // stopped before it ran anything
    }

    /** The printed ratio agrees with the printed numbers it divides, given their rounding. */
    private static void assertRatio(
            String printed, String numerator, String denominator, String row) {
        double n = number(numerator);
        double d = number(denominator);
        double nHalfUnit = numerator.contains(".") ? 0.05 : 0.5;
        double dHalfUnit = denominator.contains(".") ? 0.05 : 0.5;
        double low = (n - nHalfUnit) / (d + dHalfUnit) - 0.005;
        double high = (n + nHalfUnit) / (d - dHalfUnit) + 0.005;
        assertThat(Double.parseDouble(printed)).as(row).isBetween(low, high);
    }

    /** The Melem/s of an op's bar in the chart (its tooltip). */
    private static double bar(String chart, String op, String who) {
        Matcher m =
                Pattern.compile(
                                "<title>"
                                        + Pattern.quote(op)
                                        + " 1024: "
                                        + who
                                        + " ([0-9,]+)</title>")
                        .matcher(chart);
        assertThat(m.find()).as(op + " " + who + " in " + chart).isTrue();
        return number(m.group(1));
    }

    private static double number(String s) {
        return Double.parseDouble(s.replace(",", ""));
    }

    /**
     * As bin/benchmark decides: Debian's python3, else the one on the PATH, with torch importable.
     */
    private static boolean pythonHasTorch() throws IOException, InterruptedException {
        for (String python : new String[] {"/usr/bin/python3", "python3"}) {
            try {
                Process p =
                        new ProcessBuilder(python, "-c", "import torch")
                                .redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                .start();
                if (p.waitFor() == 0) {
                    return true;
                }
            } catch (IOException e) {
                // not installed: try the next
            }
        }
        return false;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
