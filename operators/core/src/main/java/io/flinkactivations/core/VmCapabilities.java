package io.flinkactivations.core;

import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the running JVM's compiler does with the Vector API, as Lucene's vectorization provider asks
 * it: whether HotSpot's C2 compiles the kernels (else they run slower than plain Java) and whether
 * the CPU has fused multiply-add. HotSpot's flags are read through its diagnostic MXBean,
 * reflectively, so that this class links on any JVM.
 */
final class VmCapabilities {
    /** The HotSpot flags read; a flag this JVM does not have is absent. */
    static final List<String> FLAGS =
            List.of(
                    "UseFMA",
                    "UseAVX",
                    "TieredCompilation",
                    "TieredStopAtLevel",
                    "UseJVMCICompiler");

    private final String vmName;
    private final String vmInfo;
    private final Map<String, String> hotSpotFlags;

    /**
     * @param hotSpotFlags the values of {@link #FLAGS}, or null on a JVM that is not HotSpot
     */
    VmCapabilities(String vmName, String vmInfo, Map<String, String> hotSpotFlags) {
        this.vmName = vmName;
        this.vmInfo = vmInfo;
        this.hotSpotFlags = hotSpotFlags;
    }

    /** This JVM's. */
    static VmCapabilities current() {
        return Holder.CURRENT;
    }

    /**
     * Why the Vector API would run slower than plain Java here, or null: it is fast only as C2
     * compiles it; interpreted or compiled by C1, every vector is an object.
     */
    String slowVectorReason() {
        if (hotSpotFlags == null) {
            return "the JVM ("
                    + vmName
                    + ") is not HotSpot, whose C2 compiler the vector kernels are built for";
        }
        if (vmInfo.contains("interpreted mode")) {
            return "the JVM runs interpreted (-Xint), where the Vector API is slower than plain Java";
        }
        if ("true".equals(hotSpotFlags.get("UseJVMCICompiler"))) {
            return "the JVM compiles with a JVMCI compiler (-XX:+UseJVMCICompiler), not C2, which"
                    + " the vector kernels are built for";
        }
        String level = hotSpotFlags.getOrDefault("TieredStopAtLevel", "4");
        if ("true".equals(hotSpotFlags.get("TieredCompilation")) && !level.equals("4")) {
            return "C2 is off (-XX:TieredStopAtLevel="
                    + level
                    + "), where the Vector API is slower than plain Java";
        }
        if (vmInfo.contains("emulated-client")) {
            return "the JVM runs without its C2 compiler, where the Vector API is slower than plain Java";
        }
        return null;
    }

    /**
     * Whether C2 compiles a fused multiply-add to one instruction: HotSpot's {@code UseFMA}, on by
     * default where the CPU has FMA and off with {@code -XX:-UseFMA}.
     */
    boolean fusedMultiplyAdd() {
        return hotSpotFlags != null && "true".equals(hotSpotFlags.get("UseFMA"));
    }

    /**
     * Whether C2 emits AVX-512 (HotSpot's {@code UseAVX} at 3 or more, x86 only): its masks then
     * live in k registers, which changes which clamp form is fastest on JDK 17 (see {@link
     * PanamaMath#BLEND_CLAMPS}).
     */
    boolean avx512() {
        if (hotSpotFlags == null) {
            return false;
        }
        try {
            return Integer.parseInt(hotSpotFlags.getOrDefault("UseAVX", "0")) >= 3;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static final class Holder {
        static final VmCapabilities CURRENT =
                new VmCapabilities(
                        System.getProperty("java.vm.name", "unknown"),
                        System.getProperty("java.vm.info", ""),
                        readHotSpotFlags());

        /** The flags through com.sun.management.HotSpotDiagnosticMXBean, or null without it. */
        private static Map<String, String> readHotSpotFlags() {
            Object bean;
            Method getVmOption;
            try {
                Class<? extends PlatformManagedObject> type =
                        Class.forName("com.sun.management.HotSpotDiagnosticMXBean")
                                .asSubclass(PlatformManagedObject.class);
                bean = ManagementFactory.getPlatformMXBean(type);
                getVmOption = type.getMethod("getVMOption", String.class);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null; // not HotSpot, or a runtime image without jdk.management
            }
            if (bean == null) {
                return null;
            }
            Map<String, String> flags = new HashMap<>();
            for (String name : FLAGS) {
                try {
                    Object option = getVmOption.invoke(bean, name);
                    flags.put(
                            name, (String) option.getClass().getMethod("getValue").invoke(option));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // this JVM has no such flag (UseJVMCICompiler without JVMCI): absent
                }
            }
            return flags;
        }
    }
}
