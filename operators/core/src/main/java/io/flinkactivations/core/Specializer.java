package io.flinkactivations.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.constant.ConstantDescs;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gives each element-wise kernel its own copy of a loop class, defined as a hidden class whose
 * class data holds the op's function. Why: a loop shared by all ops has one JIT profile, so once a
 * JVM has run three ops the call inside the loop is megamorphic, is not inlined, and every Vector
 * API value is boxed (several times slower). A copy per op sees one function, held in a static
 * final field, so C2 inlines it as a constant. The template classes are never initialized under
 * their own name.
 */
final class Specializer {
    private static final Map<Class<?>, byte[]> TEMPLATE_BYTES = new ConcurrentHashMap<>();

    private Specializer() {}

    /**
     * A new instance of a fresh hidden copy of {@code template}, whose static initializer reads
     * {@code classData} with {@link MethodHandles#classDataAt}, through its no-argument
     * constructor.
     */
    static ActivationKernel instantiate(
            Class<? extends ActivationKernel> template, List<?> classData) {
        byte[] bytes = TEMPLATE_BYTES.computeIfAbsent(template, Specializer::readBytes);
        try {
            MethodHandles.Lookup lookup =
                    MethodHandles.lookup().defineHiddenClassWithClassData(bytes, classData, true);
            return (ActivationKernel)
                    lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class))
                            .invoke();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot specialize " + template.getName(), t);
        }
    }

    /** Reads element {@code index} of the calling hidden class's class data. */
    static <T> T classData(MethodHandles.Lookup caller, int index, Class<T> type) {
        try {
            return MethodHandles.classDataAt(caller, ConstantDescs.DEFAULT_NAME, type, index);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readBytes(Class<?> template) {
        String resource =
                template.getName().substring(template.getPackageName().length() + 1) + ".class";
        try (InputStream in = template.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("class file " + resource + " not found");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
