package io.flinkactivations.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When the vector kernels can pay off, decided from the JVM's name, info and HotSpot flags: the
 * JVMs this machine cannot start (not HotSpot, a JVMCI compiler) by their facts, and this JVM's own
 * flags read for real. The child JVMs with -Xint, C1 only and -XX:-UseFMA are in {@link
 * KernelSelectionTest}.
 */
class VmCapabilitiesTest {
    private static final Map<String, String> SERVER =
            Map.of(
                    "UseFMA", "true",
                    "UseAVX", "2",
                    "TieredCompilation", "true",
                    "TieredStopAtLevel", "4",
                    "UseJVMCICompiler", "false");

    private static Map<String, String> with(String flag, String value) {
        Map<String, String> flags = new java.util.HashMap<>(SERVER);
        flags.put(flag, value);
        return flags;
    }

    @Test
    void hotSpotWithC2RunsTheVectorKernels() {
        VmCapabilities vm = new VmCapabilities("OpenJDK 64-Bit Server VM", "mixed mode", SERVER);
        assertThat(vm.slowVectorReason()).isNull();
        assertThat(vm.fusedMultiplyAdd()).isTrue();
    }

    @Test
    void aJvmThatIsNotHotSpotRunsTheScalarKernels() {
        VmCapabilities vm =
                new VmCapabilities("Eclipse OpenJ9 VM", "JRE 17 Linux amd64-64-Bit", null);
        assertThat(vm.slowVectorReason())
                .isEqualTo(
                        "the JVM (Eclipse OpenJ9 VM) is not HotSpot, whose C2 compiler the vector"
                                + " kernels are built for");
        assertThat(vm.fusedMultiplyAdd()).isFalse();
    }

    @Test
    void aJvmciCompilerRunsTheScalarKernels() {
        VmCapabilities vm =
                new VmCapabilities(
                        "OpenJDK 64-Bit Server VM", "mixed mode", with("UseJVMCICompiler", "true"));
        assertThat(vm.slowVectorReason()).contains("-XX:+UseJVMCICompiler");
    }

    @Test
    void c1AloneOrTheInterpreterRunsTheScalarKernels() {
        assertThat(
                        new VmCapabilities(
                                        "OpenJDK 64-Bit Server VM",
                                        "mixed mode",
                                        with("TieredStopAtLevel", "1"))
                                .slowVectorReason())
                .contains("C2 is off (-XX:TieredStopAtLevel=1)");
        assertThat(
                        new VmCapabilities("OpenJDK 64-Bit Server VM", "interpreted mode", SERVER)
                                .slowVectorReason())
                .contains("-Xint");
        // without tiered compilation C2 compiles everything, whatever the stop level says
        Map<String, String> c2Only = with("TieredCompilation", "false");
        c2Only.put("TieredStopAtLevel", "1");
        assertThat(
                        new VmCapabilities("OpenJDK 64-Bit Server VM", "mixed mode", c2Only)
                                .slowVectorReason())
                .isNull();
    }

    @Test
    void withoutFmaTheKernelsMultiplyAndAdd() {
        assertThat(
                        new VmCapabilities(
                                        "OpenJDK 64-Bit Server VM",
                                        "mixed mode",
                                        with("UseFMA", "false"))
                                .fusedMultiplyAdd())
                .isFalse();
    }

    @Test
    void avx512IsUseAvxAtThreeOrMore() {
        assertThat(new VmCapabilities("OpenJDK 64-Bit Server VM", "mixed mode", SERVER).avx512())
                .isFalse();
        assertThat(
                        new VmCapabilities(
                                        "OpenJDK 64-Bit Server VM",
                                        "mixed mode",
                                        with("UseAVX", "3"))
                                .avx512())
                .isTrue();
        Map<String, String> arm = new java.util.HashMap<>(SERVER);
        arm.remove("UseAVX"); // not an x86 flag
        assertThat(new VmCapabilities("OpenJDK 64-Bit Server VM", "mixed mode", arm).avx512())
                .isFalse();
        assertThat(new VmCapabilities("Eclipse OpenJ9 VM", "JRE 17", null).avx512()).isFalse();
    }

    /** On Linux the CPU's flags say whether it has FMA; HotSpot's UseFMA follows them. */
    @Test
    void thisJvmsFlagsAreRead() throws IOException {
        VmCapabilities vm = VmCapabilities.current();
        assertThat(String.valueOf(vm.slowVectorReason())).doesNotContain("not HotSpot");
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo) && System.getProperty("os.arch").matches("amd64|x86_64")) {
            boolean cpuHasFma =
                    Files.readAllLines(cpuinfo).stream()
                            .filter(l -> l.startsWith("flags"))
                            .findFirst()
                            .map(l -> (" " + l.split(":", 2)[1] + " ").contains(" fma "))
                            .orElse(false);
            boolean turnedOff =
                    ManagementFactory.getRuntimeMXBean()
                            .getInputArguments()
                            .contains("-XX:-UseFMA");
            assertThat(vm.fusedMultiplyAdd()).isEqualTo(cpuHasFma && !turnedOff);
            // HotSpot may keep AVX-512 off on a CPU that has it, never on where it lacks it
            boolean cpuHasAvx512 =
                    Files.readAllLines(cpuinfo).stream()
                            .filter(l -> l.startsWith("flags"))
                            .findFirst()
                            .map(l -> (" " + l.split(":", 2)[1] + " ").contains(" avx512f "))
                            .orElse(false);
            if (!cpuHasAvx512) {
                assertThat(vm.avx512()).isFalse();
            }
        }
    }
}
