package io.flinkactivations.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Which implementation a fresh JVM picks, and the one line it logs: the vector path with the
 * module, the scalar path without it (never linking a vector class) or when forced.
 */
class KernelSelectionTest {

    /** Run in a child JVM: prints the chosen kernels and runs one so that linking is exercised. */
    public static final class Probe {
        public static void main(String[] args) {
            Kernels k = Kernels.get();
            float[] x = {1, -2, 3, -5};
            k.kernel(ActivationSpec.parse("gelu")).applyInPlace(x);
            System.out.println(
                    "chosen="
                            + k.description()
                            + " vectorized="
                            + k.isVectorized()
                            + " x0="
                            + x[0]);
        }
    }

    private static String run(String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmArgs));
        cmd.add("-cp");
        cmd.add(
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add(Probe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("probe JVM finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void vectorWhenTheModuleIsEnabled() throws Exception {
        String out = run("--add-modules", "jdk.incubator.vector");
        assertThat(out)
                .contains(
                        "Activation kernels: vector (Java Vector API",
                        "because module jdk.incubator.vector is enabled")
                .contains("vectorized=true");
    }

    @Test
    void scalarWithoutTheModuleWithOneLineSayingWhy() throws Exception {
        String out = run();
        assertThat(out)
                .contains(
                        "Activation kernels: scalar, because module jdk.incubator.vector is not enabled"
                                + " (start java with --add-modules jdk.incubator.vector)")
                .contains("vectorized=false x0=0.8413")
                .doesNotContain("NoClassDefFoundError");
        assertThat(out.lines().filter(l -> l.contains("Activation kernels")).count()).isEqualTo(1);
    }

    @Test
    void scalarWhereOnlyTheInterpreterOrC1RunsWithOneLineSayingWhy() throws Exception {
        for (String[] flags :
                List.of(new String[] {"-Xint"}, new String[] {"-XX:TieredStopAtLevel=1"})) {
            List<String> args = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector"));
            args.addAll(List.of(flags));
            String out = run(args.toArray(String[]::new));
            assertThat(out)
                    .as(String.join(" ", flags))
                    .containsPattern(
                            "Activation kernels: scalar, because (the JVM runs interpreted \\(-Xint\\)|C2 is off \\(-XX:TieredStopAtLevel=1\\)), where the Vector API is slower than plain Java")
                    .contains("vectorized=false x0=0.8413");
        }
    }

    /**
     * A CPU without fused multiply-add ({@code -XX:-UseFMA} makes HotSpot act as on one): the
     * kernels multiply and add, say so, and still compute GELU.
     */
    @Test
    void withoutFmaTheVectorKernelsMultiplyAndAdd() throws Exception {
        String out = run("--add-modules", "jdk.incubator.vector", "-XX:-UseFMA");
        assertThat(out)
                .contains("multiply and add (no FMA on this CPU)")
                .contains("vectorized=true x0=0.8413");
        assertThat(run("--add-modules", "jdk.incubator.vector", "-XX:+UseFMA"))
                .contains(", fused multiply-add, ");
    }

    /**
     * The vector width CI asks for with {@code -XX:MaxVectorSize} (128 and 256 bits, as ARM servers
     * and most x86 machines run), said in {@code -Dactivations.expect.vector.bits}: the kernels the
     * other tests of that run checked ran at that width; with {@code -XX:-UseFMA} and {@code
     * -Dactivations.expect.no.fma=true}, without fused multiply-add.
     */
    @Test
    void theVectorWidthIsTheOneCiAskedFor() {
        String bits = System.getProperty("activations.expect.vector.bits");
        String description = Kernels.vector().description();
        if (bits == null) {
            assertThat(description).containsPattern("\\d+-bit");
        } else {
            assertThat(description).contains(", " + bits + "-bit, ");
        }
        if (Boolean.getBoolean("activations.expect.no.fma")) {
            assertThat(description).contains("no FMA");
        }
    }

    @Test
    void scalarWhenForced() throws Exception {
        String out =
                run("--add-modules", "jdk.incubator.vector", "-D" + Kernels.PROPERTY + "=scalar");
        assertThat(out)
                .contains("Activation kernels: scalar (forced by -Dactivations.kernels=scalar)")
                .contains("vectorized=false");
    }

    @Test
    void aBadModeIsRefused() throws Exception {
        List<String> cmd =
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-D" + Kernels.PROPERTY + "=fast",
                        "-cp",
                        System.getProperty(
                                "surefire.test.class.path", System.getProperty("java.class.path")),
                        Probe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isNotZero();
        assertThat(out).contains("Bad -Dactivations.kernels=fast: use auto, vector or scalar");
    }
}
