package io.flinkactivations.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.testutils.GoldenCase;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every golden case passes the golden rule, on both implementations, in place and out of place. */
class GoldenTest {

    @TestFactory
    Stream<DynamicTest> scalarKernels() {
        return cases(Kernels.scalar());
    }

    @TestFactory
    Stream<DynamicTest> vectorKernels() {
        return cases(Kernels.vector()); // fails, rather than skips, without the Vector API
    }

    @Test
    void goldenFileCoversEveryActivation() {
        Set<Activation> covered =
                Stream.concat(GoldenCase.all().stream(), GoldenCase.running().stream())
                        .map(c -> ActivationSpec.parse(c.spec()).activation())
                        .collect(Collectors.toCollection(() -> EnumSet.noneOf(Activation.class)));
        assertThat(covered).containsExactlyInAnyOrder(Activation.values());
        assertThat(GoldenCase.all()).hasSize(688);
        assertThat(GoldenCase.running()).hasSize(8);
    }

    private static Stream<DynamicTest> cases(Kernels kernels) {
        return GoldenCase.all().stream()
                .map(
                        c ->
                                DynamicTest.dynamicTest(
                                        kernels.description() + ": " + c,
                                        () -> {
                                            ActivationKernel kernel =
                                                    kernels.kernel(ActivationSpec.parse(c.spec()));

                                            float[] out = new float[c.input().length];
                                            run(kernel, c, c.input().clone(), out);
                                            assertPasses("out of place", c, out);

                                            float[] inPlace = c.input().clone();
                                            run(kernel, c, inPlace, inPlace);
                                            assertPasses("in place", c, inPlace);
                                        }));
    }

    private static void run(ActivationKernel kernel, GoldenCase c, float[] in, float[] out) {
        if (c.isWindow()) {
            kernel.applyAlongDim0(in, 0, out, 0, c.rows(), c.cols());
        } else {
            kernel.apply(in, 0, out, 0, in.length);
        }
    }

    static void assertPasses(String how, GoldenCase c, float[] actual) {
        String failure = c.check(c.spec() + " on case " + c.caseName() + " (" + how + ")", actual);
        assertThat(failure).as("golden rule").isNull();
    }
}
