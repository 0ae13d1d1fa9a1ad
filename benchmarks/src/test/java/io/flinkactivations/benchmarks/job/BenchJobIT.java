package io.flinkactivations.benchmarks.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.testutils.ScriptRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The job benchmark, {@code bin/bench-job}, as a user runs it, kept small: it runs to the end
 * against its real broker and MiniCluster and prints a table whose numbers hang together (no speed
 * is asserted: that is what the benchmark is for).
 */
class BenchJobIT {
    private static final Path ROOT = ScriptRun.ROOT;
    private static final Pattern ROW =
            Pattern.compile(
                    "^\\| (.+?) \\| (json|f32le) \\| (.+?) \\| ([0-9,]+) \\| ([0-9.]+) \\| (-|[0-9]+ ms) \\| (-|[0-9]+ ms) \\|$");

    private static final Pattern ROUND =
            Pattern.compile(
                    "^\\[bench] round ([0-9]) (json|f32le): ceiling ([0-9]+), map at-least-once ([0-9]+) records/s;"
                            + " CPU per record: ceiling ([0-9.]+) us \\(broker ([0-9.]+)\\), map ([0-9.]+) us \\(broker ([0-9.]+)\\)$");

    private static final Pattern PEER_ROUND =
            Pattern.compile(
                    "^\\[bench] round ([0-9]) (json|f32le) peers: plain clients ([0-9]+), Kafka Streams ([0-9]+) records/s;"
                            + " CPU per record: plain clients ([0-9.]+) us, Kafka Streams ([0-9.]+) us$");

    private static double median(List<Matcher> rounds, int group) {
        return rounds.stream()
                .mapToDouble(m -> Double.parseDouble(m.group(group)))
                .sorted()
                .toArray()[rounds.size() / 2];
    }

    @Test
    void quickRunPrintsTheCeilingThePeersThePassThroughTheMapAndTheWindowPerFormat()
            throws Exception {
        ScriptRun r =
                ScriptRun.run(
                        ROOT.resolve("bin/bench-job"),
                        "",
                        Duration.ofMinutes(5),
                        "--quick",
                        "--records",
                        "5000",
                        "--latency-seconds",
                        "4",
                        "--latency-load",
                        "0.25",
                        "--rounds",
                        "3");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        // the launcher runs the benchmark on G1 with a fixed heap, and the first line says so
        assertThat(r.out())
                .as(r.out())
                .containsPattern("(?m)^machine: .*, heap 4096 MB \\(G1 Young Generation, ");
        // the broker's logs in memory where there is room (a run here needs a few MB), else on disk
        assertThat(r.out())
                .as(r.out())
                .containsPattern(
                        Files.isWritable(Path.of("/dev/shm"))
                                ? "(?m)^machine: .*; broker logs in /dev/shm$"
                                : "(?m)^machine: .*; broker logs in ");
        assertThat(r.out())
                .as(r.out())
                .contains("| p50 latency | p99 latency (0.25 of full load) |");
        // every measured record of every latency run had its output read: none left out of the
        // percentiles
        assertThat(r.out()).as(r.out()).doesNotContain("had no output read");
        List<Matcher> rows = r.out().lines().map(ROW::matcher).filter(Matcher::matches).toList();
        assertThat(rows)
                .as(r.out())
                .extracting(m -> m.group(1) + " " + m.group(2))
                .containsExactly(
                        "ceiling: consumer -> producer copy json",
                        "peer: plain clients, Jackson json",
                        "peer: Kafka Streams mapValues json",
                        "Flink pass-through: source -> sink, no parsing json",
                        "map leaky_relu(0.2) json",
                        "softmax over count(100) json",
                        "ceiling: consumer -> producer copy f32le",
                        "peer: plain clients, float loop f32le",
                        "peer: Kafka Streams mapValues f32le",
                        "Flink pass-through: source -> sink, no parsing f32le",
                        "map leaky_relu(0.2) f32le",
                        "softmax over count(100) f32le");
        for (int i = 0; i < rows.size(); i += 6) {
            Matcher ceiling = rows.get(i);
            Matcher passThrough = rows.get(i + 3);
            double ceilingRate = rate(ceiling);
            assertThat(ceilingRate).as(r.out()).isPositive();
            assertThat(ceiling.group(5)).isEqualTo("1.00");
            for (Matcher flink : rows.subList(i + 1, i + 6)) {
                double flinkRate = rate(flink);
                assertThat(flinkRate).as(r.out()).isPositive();
                assertThat(Double.parseDouble(flink.group(5)))
                        .as(r.out())
                        .isCloseTo(flinkRate / ceilingRate, Offset.offset(0.006));
                assertThat(flink.group(3)).isEqualTo("at-least-once");
            }
            // the ceiling and the map (the target row) are each the median of --rounds (here 3)
            // runs taken in turns
            String format = ceiling.group(2);
            List<Matcher> rounds =
                    r.out()
                            .lines()
                            .map(ROUND::matcher)
                            .filter(m -> m.matches() && m.group(2).equals(format))
                            .toList();
            assertThat(rounds)
                    .as(r.out())
                    .extracting(m -> m.group(1))
                    .containsExactly("1", "2", "3");
            assertThat(ceilingRate).as(r.out()).isEqualTo(median(rounds, 3));
            assertThat(rate(rows.get(i + 4))).as(r.out()).isEqualTo(median(rounds, 4));
            peersAddUp(r.out(), format, rounds, rows.subList(i + 1, i + 3));
            // each round's own ratio, their median, and the table's ratio of the medians beside it
            Matcher byRound =
                    Pattern.compile(
                                    "(?m)^\\[bench] "
                                            + format
                                            + " map at-least-once / ceiling by round:"
                                            + " ([0-9.]+), ([0-9.]+), ([0-9.]+); median ([0-9.]+) \\(the table's ratio is of the two medians:"
                                            + " ([0-9.]+)\\)$")
                            .matcher(r.out());
            assertThat(byRound.find()).as(r.out()).isTrue();
            double[] ratios = new double[3];
            for (int k = 0; k < 3; k++) {
                ratios[k] = Double.parseDouble(byRound.group(k + 1));
                Matcher round = rounds.get(k);
                assertThat(ratios[k])
                        .as(r.out())
                        .isCloseTo(
                                Double.parseDouble(round.group(4))
                                        / Double.parseDouble(round.group(3)),
                                Offset.offset(0.006));
            }
            Arrays.sort(ratios);
            assertThat(Double.parseDouble(byRound.group(4))).as(r.out()).isEqualTo(ratios[1]);
            assertThat(byRound.group(5)).as(r.out()).isEqualTo(rows.get(i + 4).group(5));
            for (Matcher round :
                    rounds) { // each side's CPU per record, and the broker's share of it
                for (int g = 5; g <= 7; g += 2) {
                    assertThat(Double.parseDouble(round.group(g + 1)))
                            .as(r.out())
                            .isPositive()
                            .isLessThan(Double.parseDouble(round.group(g)));
                }
            }
            assertThat(passThrough.group(6)).isEqualTo("-");
            // latency at the load asked for, after a warm-up the job has caught up with, for the
            // map and the
            // window (its outputs matched to their inputs by key and order): both percentiles
            // measured, p50 <= p99
            for (Matcher job : rows.subList(i + 4, i + 6)) {
                assertThat(job.group(6)).as(r.out()).endsWith(" ms");
                assertThat(ms(job.group(6))).as(r.out()).isLessThanOrEqualTo(ms(job.group(7)));
                // and the line for the row says whether a backlog grew: the first and last second's
                // medians
                assertThat(r.out())
                        .as(r.out())
                        .containsPattern(
                                "(?m)^\\[bench] "
                                        + Pattern.quote(
                                                job.group(1) + " " + format + " at-least-once: ")
                                        + ".* p50 "
                                        + job.group(6)
                                        + ", p99 "
                                        + job.group(7)
                                        + " at [0-9]+ records/s \\(p50 of the first second's records [0-9]+ ms, of the last second's [0-9]+ ms\\)$");
            }
            cpuTableAddsUp(r.out(), format);
        }
    }

    /**
     * The peers ran in every round beside the ceiling and the map: each row is the median of its
     * rounds, and each round's ratio of the map to the better peer, their median and the ratios of
     * the medians follow from the rounds' own figures.
     */
    private static void peersAddUp(
            String out, String format, List<Matcher> rounds, List<Matcher> peerRows) {
        List<Matcher> peers =
                out.lines()
                        .map(PEER_ROUND::matcher)
                        .filter(m -> m.matches() && m.group(2).equals(format))
                        .toList();
        assertThat(peers).as(out).extracting(m -> m.group(1)).containsExactly("1", "2", "3");
        assertThat(rate(peerRows.get(0))).as(out).isEqualTo(median(peers, 3)).isPositive();
        assertThat(rate(peerRows.get(1))).as(out).isEqualTo(median(peers, 4)).isPositive();
        for (Matcher peer : peers) {
            assertThat(Double.parseDouble(peer.group(5))).as(out).isPositive();
            assertThat(Double.parseDouble(peer.group(6))).as(out).isPositive();
        }
        Matcher byRound =
                Pattern.compile(
                                "(?m)^\\[bench] "
                                        + format
                                        + " map at-least-once / best JVM peer by round: ([0-9.]+), ([0-9.]+), ([0-9.]+);"
                                        + " median ([0-9.]+) \\(of the medians: ([0-9.]+) x plain clients, ([0-9.]+) x Kafka Streams\\)$")
                        .matcher(out);
        assertThat(byRound.find()).as(out).isTrue();
        double[] ratios = new double[3];
        for (int k = 0; k < 3; k++) {
            double map = Double.parseDouble(rounds.get(k).group(4));
            double best =
                    Math.max(
                            Double.parseDouble(peers.get(k).group(3)),
                            Double.parseDouble(peers.get(k).group(4)));
            ratios[k] = Double.parseDouble(byRound.group(k + 1));
            assertThat(ratios[k]).as(out).isCloseTo(map / best, Offset.offset(0.006));
        }
        Arrays.sort(ratios);
        assertThat(Double.parseDouble(byRound.group(4))).as(out).isEqualTo(ratios[1]);
        double map = median(rounds, 4);
        assertThat(Double.parseDouble(byRound.group(5)))
                .as(out)
                .isCloseTo(map / median(peers, 3), Offset.offset(0.006));
        assertThat(Double.parseDouble(byRound.group(6)))
                .as(out)
                .isCloseTo(map / median(peers, 4), Offset.offset(0.006));
    }

    private static final Pattern CPU_ROW =
            Pattern.compile("^\\| (.+?) \\| ([0-9]+\\.[0-9]{2}) \\| ([0-9]+\\.[0-9]{2}) \\|$");

    /**
     * Per format, a table of CPU time per record of the ceiling's and the map's measured runs, by
     * the threads' parts, and their total: every part in order, the total their sum; the broker,
     * the pipeline and the producers' network threads busy on both sides.
     */
    private static void cpuTableAddsUp(String out, String format) {
        String heading = "CPU time per record, " + format + ",";
        assertThat(out).as(out).contains(heading);
        List<Matcher> cpu =
                out.substring(out.indexOf(heading))
                        .lines()
                        .skip(1)
                        .dropWhile(line -> !line.startsWith("| threads |"))
                        .skip(2)
                        .takeWhile(line -> line.startsWith("| "))
                        .map(CPU_ROW::matcher)
                        .toList();
        assertThat(cpu).as(out).allMatch(Matcher::matches);
        assertThat(cpu)
                .as(out)
                .extracting(m -> m.group(1))
                .containsExactly(
                        Stream.concat(
                                        Arrays.stream(ThreadCpuAccount.Part.values())
                                                .map(p -> p.description),
                                        Stream.of("total"))
                                .toArray(String[]::new));
        for (int column = 2; column <= 3; column++) {
            double sum = 0;
            for (Matcher m : cpu.subList(0, cpu.size() - 1)) {
                sum += Double.parseDouble(m.group(column));
            }
            assertThat(Double.parseDouble(cpu.get(cpu.size() - 1).group(column)))
                    .as(out)
                    .isCloseTo(sum, Offset.offset(0.03))
                    .isPositive();
            for (ThreadCpuAccount.Part busy :
                    List.of(
                            ThreadCpuAccount.Part.BROKER,
                            ThreadCpuAccount.Part.PIPELINE,
                            ThreadCpuAccount.Part.PRODUCER_NETWORK)) {
                assertThat(Double.parseDouble(cpu.get(busy.ordinal()).group(column)))
                        .as(out + busy)
                        .isPositive();
            }
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--formats    | json,csv     | --formats: Unknown format 'csv'; valid formats: json, f32le",
                "--broker-dir | /no/such/dir | --broker-dir: /no/such/dir is not a writable directory",
                "--latency-load | 1.5 | --latency-load: 1.5; give a fraction of the full load, above 0 and at most 1",
                "--latency-seconds | 0 | --latency-seconds: 0; give at least 1",
                "--records | 10 | --records: 10 is too few to measure; give at least 1000",
                "--rounds | 4 | --rounds: 4; give an odd number, so that the median is a run"
            })
    void aBadArgumentStopsBeforeAnythingRuns(String flag, String value, String message)
            throws Exception {
        ScriptRun r = ScriptRun.run(ROOT.resolve("bin/bench-job"), "", flag, value);
        assertThat(r.exitCode()).as(r.out() + r.err()).isNotZero();
        assertThat(r.err()).contains(message);
        assertThat(r.out()).doesNotContain("[bench]");
    }

    private static double rate(Matcher m) {
        return Double.parseDouble(m.group(4).replace(",", ""));
    }

    private static int ms(String s) {
        return Integer.parseInt(s.replace(" ms", ""));
    }
}
