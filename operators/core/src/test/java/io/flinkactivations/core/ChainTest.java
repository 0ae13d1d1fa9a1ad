package io.flinkactivations.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkactivations.testutils.GoldenCase;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Chains of steps, where each step may run in a window, and the golden rule's grip on the
 * normalizations.
 */
class ChainTest {

    @Test
    void aChainParsesToItsStepsAndOneCanonicalForm() {
        ActivationSpec chain =
                ActivationSpec.parse(" LayerNorm(eps=1e-5)|GELU(approximate='tanh') ");
        assertThat(chain.isChain()).isTrue();
        assertThat(chain.steps())
                .containsExactly(
                        ActivationSpec.parse("layer_norm"),
                        ActivationSpec.parse("gelu(approximate=tanh)"));
        assertThat(chain.canonical()).isEqualTo("layer_norm | gelu(approximate=tanh)");
        assertThat(ActivationSpec.parse(chain.canonical())).isEqualTo(chain);
        assertThat(ActivationSpec.chain(List.of(chain, ActivationSpec.parse("relu"))).canonical())
                .isEqualTo("layer_norm | gelu(approximate=tanh) | relu");
        assertThat(ActivationSpec.chain(List.of(ActivationSpec.parse("relu"))))
                .isEqualTo(ActivationSpec.parse("relu"));
        assertThatThrownBy(chain::activation).hasMessageContaining("is a chain");
    }

    @Test
    void anErrorNamesTheFailingStep() {
        assertThatThrownBy(() -> ActivationSpec.parse("layer_norm | gelo"))
                .hasMessageStartingWith(
                        "Step 2 of 'layer_norm | gelo' (gelo): Unknown activation 'gelo'");
        assertThatThrownBy(() -> ActivationSpec.parse("normalize(p=3) | relu"))
                .hasMessageStartingWith("Step 1 of")
                .hasMessageContaining("valid values: 2, 1, inf");
        assertThatThrownBy(() -> ActivationSpec.parse("relu |"))
                .hasMessageStartingWith("Step 2 of 'relu |'")
                .hasMessageContaining("Empty spec");
    }

    @Test
    void normalizeTakesPAsANumberOrAName() {
        assertThat(ActivationSpec.parse("normalize(2.0)").canonical()).isEqualTo("normalize");
        assertThat(ActivationSpec.parse("normalize(p=Infinity)").canonical())
                .isEqualTo("normalize(p=inf)");
        assertThat(ActivationSpec.parse("normalize(1, eps=0.5)").canonical())
                .isEqualTo("normalize(p=1, eps=0.5)");
        assertThatThrownBy(() -> ActivationSpec.parse("softmax(groups=0)"))
                .hasMessageContaining("a whole number >= 1");
        assertThatThrownBy(() -> ActivationSpec.parse("layer_norm(eps=-1)"))
                .hasMessageContaining(">= 0");
    }

    @Test
    void aWindowNeedsExactlyOneStepAlongDim0() {
        assertThat(ActivationSpec.parse("layer_norm | softmax | relu").alongDim0Step())
                .isEqualTo(1);
        assertThat(ActivationSpec.parse("softmax(groups=4) | batch_norm").alongDim0Step())
                .isEqualTo(1);
        assertThat(ActivationSpec.parse("min_max").checkForWindow().alongDim0Step()).isZero();
        assertThatThrownBy(() -> ActivationSpec.parse("layer_norm | gelu").checkForWindow())
                .hasMessageContaining("has no step along dim 0");
        assertThatThrownBy(() -> ActivationSpec.parse("softmax(groups=2)").checkForWindow())
                .hasMessageContaining("has no step along dim 0");
        assertThatThrownBy(() -> ActivationSpec.parse("softmax | batch_norm").checkForWindow())
                .hasMessageContaining("two steps along dim 0 (softmax and batch_norm)");
        assertThatThrownBy(() -> ActivationSpec.parse("relu | max_abs").checkForMap())
                .hasMessageStartingWith(
                        "max_abs normalises each feature across a window's records");
        assertThat(ActivationSpec.parse("layer_norm | softmax").checkForMap()).isNotNull();
    }

    @Test
    void groupsMustDivideTheDimension() {
        ActivationSpec spec = ActivationSpec.parse("relu | log_softmax(groups=4)");
        assertThat(spec.checkDimension(8)).isNull();
        assertThat(spec.checkDimension(10))
                .isEqualTo(
                        "the vector has 10 features; log_softmax(groups=4) needs a multiple of 4");
        for (Kernels k : List.of(Kernels.scalar(), Kernels.vector())) {
            assertThatThrownBy(() -> k.kernel(spec).apply(new float[10], 0, new float[10], 0, 10))
                    .hasMessageContaining("needs a multiple of 4");
        }
    }

    @Test
    void aChainIsItsStepsAppliedInTurnOnBothImplementations() {
        SplittableRandom rnd = new SplittableRandom(28);
        for (String text :
                List.of(
                        "layer_norm | gelu",
                        "normalize | softmax(temperature=2)",
                        "rms_norm | softmax(groups=3) | hardtanh(-0.5, 0.5)",
                        "relu | layer_norm(eps=0.1) | tanh")) {
            ActivationSpec chain = ActivationSpec.parse(text);
            for (Kernels k : List.of(Kernels.scalar(), Kernels.vector())) {
                for (int n : new int[] {3, 12, 33, 999}) {
                    float[] x = new float[n];
                    for (int i = 0; i < n; i++) {
                        x[i] = (float) (rnd.nextGaussian() * 4);
                    }
                    float[] stepwise = x.clone();
                    for (ActivationSpec step : chain.steps()) {
                        float[] next = new float[n];
                        k.kernel(step).apply(stepwise, 0, next, 0, n);
                        stepwise = next;
                    }
                    float[] out = new float[n + 2];
                    k.kernel(chain).apply(x, 0, out, 2, n);
                    assertThat(java.util.Arrays.copyOfRange(out, 2, n + 2))
                            .as("%s, %s, n = %d", text, k.description(), n)
                            .containsExactly(stepwise);
                    float[] inPlace = x.clone();
                    k.kernel(chain).applyInPlace(inPlace);
                    assertThat(inPlace).containsExactly(stepwise);
                }
            }
        }
    }

    @Test
    void theGoldenRuleRejectsTheCommonMistakes() {
        int checked = 0;
        for (GoldenCase c : GoldenCase.all()) {
            boolean biasedVariance =
                    (c.op().equals("layer_norm") || c.op().equals("batch_norm"))
                            && c.params().isEmpty()
                            && (c.caseName().equals("seed_example")
                                    || c.caseName().equals("window_17x5"));
            if (!biasedVariance) {
                continue;
            }
            // the unbiased variance (N - 1), as torch.var's default gives
            int n = c.isWindow() ? c.rows() : c.input().length;
            float[] wrong = new float[c.expected().length];
            for (int i = 0; i < wrong.length; i++) {
                wrong[i] = (float) (c.expectedF64()[i] * Math.sqrt((n - 1.0) / n));
            }
            assertThat(c.check(c.toString(), wrong)).as(c.toString()).isNotNull();
            assertThat(c.check(c.toString(), c.expected())).isNull();
            checked++;
        }
        assertThat(checked).isEqualTo(2);
        for (GoldenCase c : GoldenCase.all()) {
            if (c.op().equals("softmax") && c.groups() == 2 && c.caseName().equals("normal_d12")) {
                // softmax over the whole vector instead of within each group
                float[] whole = new float[c.input().length];
                Kernels.scalar()
                        .kernel(ActivationSpec.parse("softmax"))
                        .apply(c.input(), 0, whole, 0, whole.length);
                assertThat(c.check(c.toString(), whole)).isNotNull();
                checked++;
            }
        }
        assertThat(checked).isEqualTo(3);
    }
}
