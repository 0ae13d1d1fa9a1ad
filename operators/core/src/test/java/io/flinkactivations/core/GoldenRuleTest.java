package io.flinkactivations.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.testutils.GoldenCase;
import io.flinkactivations.testutils.GoldenRule;
import org.junit.jupiter.api.Test;

/**
 * The golden rule rejects the mistakes it is meant to catch, so a passing golden test means
 * something.
 */
class GoldenRuleTest {

    private static GoldenCase find(String spec, String caseName) {
        return GoldenCase.all().stream()
                .filter(c -> c.spec().equals(spec) && c.caseName().equals(caseName))
                .findFirst()
                .orElseThrow();
    }

    private static String check(GoldenCase c, float[] actual) {
        return GoldenRule.check(
                c.toString(),
                GoldenRule.Scale.of(c.op()),
                c.input(),
                c.rows(),
                c.cols(),
                c.expected(),
                c.expectedF64(),
                actual);
    }

    @Test
    void acceptsPyTorchsOwnOutput() {
        for (GoldenCase c : GoldenCase.all()) {
            assertThat(check(c, c.expected())).as(c.toString()).isNull();
        }
    }

    @Test
    void rejectsASlopeOffByFivePercent() {
        GoldenCase c = find("leaky_relu(negative_slope=0.2)", "grid");
        float[] out = c.input().clone();
        Kernels.scalar().kernel(ActivationSpec.parse("leaky_relu(0.21)")).applyInPlace(out);
        assertThat(check(c, out)).contains("index 0");
    }

    @Test
    void rejectsSoftmaxWithoutMaxSubtraction() {
        GoldenCase c = find("softmax", "large");
        float[] out = new float[c.input().length];
        double sum = 0;
        for (float x : c.input()) {
            sum += (float) Math.exp(x);
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (Math.exp(c.input()[i]) / sum);
        }
        assertThat(check(c, out)).isNotNull();
    }

    @Test
    void rejectsHalfPrecisionRounding() {
        GoldenCase c = find("sigmoid", "normal_d100");
        float[] out = c.expected().clone();
        for (int i = 0; i < out.length; i++) {
            out[i] =
                    Float.intBitsToFloat(
                            (Float.floatToIntBits(out[i]) + 0x1000)
                                    & ~0x1FFF); // 11-bit significand
        }
        assertThat(check(c, out)).isNotNull();
    }

    @Test
    void rejectsAMissingNaN() {
        GoldenCase c = find("softmax", "with_nan");
        assertThat(check(c, new float[] {0.25f, 0.5f, 0.25f})).contains("index 0");
    }
}
