package io.flinkactivations.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.annotation.PublicEvolving;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes {@link ActivationKernel}s. Two implementations sit behind this one class, chosen once per
 * JVM: {@code PanamaKernels} (the Java Vector API) when the {@code jdk.incubator.vector} module is
 * readable, else {@link ScalarKernels}. The Panama class is loaded reflectively, so the scalar path
 * never links a vector class. One log line says which path runs and why.
 *
 * <p>The system property {@value #PROPERTY} forces a path: {@code scalar}, or {@code vector} (which
 * fails if the Vector API is unavailable); the default is {@code auto}.
 */
@PublicEvolving
public abstract class Kernels {
    /**
     * The system property that forces a path: {@code auto} (the default), {@code vector} or {@code
     * scalar}.
     */
    public static final String PROPERTY = "activations.kernels";

    private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);
    private static final String PANAMA_CLASS = "io.flinkactivations.core.PanamaKernels";

    private final ConcurrentHashMap<ActivationSpec, ActivationKernel> kernels =
            new ConcurrentHashMap<>();

    /**
     * Binds {@code spec} to this implementation. Kernels are stateless: one per spec is kept and
     * shared.
     */
    public final ActivationKernel kernel(ActivationSpec spec) {
        ActivationKernel kernel = kernels.get(spec);
        if (kernel == null) {
            // not computeIfAbsent: a chain's kernel is made of its steps' kernels, from this map
            kernel = make(spec);
            ActivationKernel raced = kernels.putIfAbsent(spec, kernel);
            kernel = raced != null ? raced : kernel;
        }
        return kernel;
    }

    private ActivationKernel make(ActivationSpec spec) {
        if (spec.isChain()) {
            return new ChainKernel(spec, spec.steps().stream().map(this::kernel).toList());
        }
        return switch (spec.activation().kind()) {
            case WINDOW, RUNNING -> new ColumnNormKernel(spec);
            case SOFTMAX ->
                    spec.groups() > 1 ? new GroupedSoftmaxKernel(create(spec)) : create(spec);
            default -> create(spec);
        };
    }

    /**
     * Makes this implementation's kernel for one element-wise, per-vector or softmax-family step
     * (without groups: they are cut here).
     */
    abstract ActivationKernel create(ActivationSpec spec);

    /**
     * How many of the {@code len} values from {@code off} are NaN or infinite: the operators count
     * them in every output for their metrics, so this runs once per output value.
     */
    public abstract int countNonFinite(float[] values, int off, int len);

    /** A short description, e.g. {@code vector (Panama, 16 x float32)} or {@code scalar}. */
    public abstract String description();

    /** True for the Vector API implementation. */
    public abstract boolean isVectorized();

    /** The implementation this JVM uses. */
    public static Kernels get() {
        return Holder.INSTANCE;
    }

    /** The scalar implementation, whatever this JVM uses. */
    static Kernels scalar() {
        return ScalarKernels.INSTANCE;
    }

    /** The Vector API implementation, or an exception saying why it is unavailable. */
    static Kernels vector() {
        String reason = vectorUnavailableReason();
        if (reason != null) {
            throw new UnsupportedOperationException("Vector kernels unavailable: " + reason);
        }
        return Holder.loadPanama();
    }

    /** Null if the Vector API can be used, else why not. */
    static String vectorUnavailableReason() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "module jdk.incubator.vector is not enabled (start java with --add-modules jdk.incubator.vector)";
        }
        return VmCapabilities.current().slowVectorReason();
    }

    private static final class Holder {
        static final Kernels INSTANCE = choose();

        private static Kernels choose() {
            String mode = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
            switch (mode) {
                case "scalar":
                    LOG.info("Activation kernels: scalar (forced by -D{}=scalar)", PROPERTY);
                    return ScalarKernels.INSTANCE;
                case "vector":
                    Kernels forced = vector();
                    LOG.info(
                            "Activation kernels: {} (forced by -D{}=vector)",
                            forced.description(),
                            PROPERTY);
                    return forced;
                case "auto":
                    break;
                default:
                    throw new IllegalArgumentException(
                            "Bad -D" + PROPERTY + "=" + mode + ": use auto, vector or scalar");
            }
            String reason = vectorUnavailableReason();
            if (reason == null) {
                try {
                    Kernels panama = loadPanama();
                    LOG.info(
                            "Activation kernels: {}, because module jdk.incubator.vector is enabled",
                            panama.description());
                    return panama;
                } catch (RuntimeException | LinkageError e) {
                    reason = "the Vector API failed to load: " + e;
                }
            }
            LOG.info("Activation kernels: scalar, because {}", reason);
            return ScalarKernels.INSTANCE;
        }

        static Kernels loadPanama() {
            try {
                Class<?> c = Class.forName(PANAMA_CLASS);
                return (Kernels)
                        MethodHandles.lookup()
                                .findConstructor(c, MethodType.methodType(void.class))
                                .invoke();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("Cannot create " + PANAMA_CLASS, t);
            }
        }
    }
}
