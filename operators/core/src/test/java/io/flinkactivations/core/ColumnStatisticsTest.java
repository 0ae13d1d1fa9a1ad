package io.flinkactivations.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkactivations.testutils.GoldenCase;
import io.flinkactivations.testutils.GoldenRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Statistics along dim 0 (the softmax family's online form, batch_norm's moments by Chan's merge,
 * the scalers' minima and maxima): record-by-record updates and merges of their states, in random
 * orders and splits, give the batch result.
 */
class ColumnStatisticsTest {

    /**
     * Runs the online form over a rows x cols batch: random split into parts, merged in random
     * order.
     */
    static float[] online(ActivationSpec spec, float[] x, int rows, int cols, Random order) {
        List<Integer> rowOrder = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            rowOrder.add(r);
        }
        Collections.shuffle(rowOrder, order); // records arrive in any order
        int parts = 1 + order.nextInt(Math.min(rows, 6));
        List<ColumnStatistics> states = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            states.add(ColumnStatistics.create(spec, cols));
        }
        for (int r : rowOrder) {
            states.get(order.nextInt(parts)).addRows(x, r * cols, 1);
        }
        Collections.shuffle(states, order);
        ColumnStatistics total = states.get(0);
        for (int p = 1; p < parts; p++) {
            if (order.nextBoolean()) {
                total.merge(states.get(p).state(), states.get(p).count());
            } else {
                ColumnStatistics other = states.get(p);
                other.merge(total.state(), total.count());
                total = other;
            }
        }
        assertThat(total.count()).isEqualTo(rows);
        float[] out = new float[x.length];
        for (int r = 0; r < rows; r++) {
            total.normalizeRows(x, r * cols, 1, out, r * cols);
        }
        return out;
    }

    @Test
    void goldenWindowsPassTheGoldenRule() {
        Random order = new Random(1);
        int checked = 0;
        for (GoldenCase c : GoldenCase.all()) {
            if (!c.alongDim0()) {
                continue;
            }
            ActivationSpec spec = ActivationSpec.parse(c.spec());
            for (int trial = 0; trial < 5; trial++) {
                float[] out = online(spec, c.input(), c.rows(), c.cols(), order);
                assertThat(
                                GoldenRule.check(
                                        c + " online, trial " + trial,
                                        GoldenRule.Scale.of(c.op()),
                                        c.input(),
                                        c.rows(),
                                        c.cols(),
                                        c.expected(),
                                        c.expectedF64(),
                                        out))
                        .isNull();
            }
            checked++;
        }
        assertThat(checked).isEqualTo(75 + 32); // softmax family, then the scalers
    }

    @Test
    void randomBatchesEqualTheBatchKernel() {
        SplittableRandom rnd = new SplittableRandom(5);
        Random order = new Random(5);
        for (String s : List.of("softmax", "log_softmax", "softmin", "softmax(temperature=0.25)")) {
            ActivationSpec spec = ActivationSpec.parse(s);
            for (int trial = 0; trial < 40; trial++) {
                int rows = 1 + rnd.nextInt(300);
                int cols = 1 + rnd.nextInt(40);
                float[] x = new float[rows * cols];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (rnd.nextGaussian() * 8);
                    if (rnd.nextInt(500) == 0) {
                        x[i] =
                                new float[] {
                                            Float.NaN,
                                            Float.NEGATIVE_INFINITY,
                                            Float.POSITIVE_INFINITY
                                        }
                                        [rnd.nextInt(3)];
                    }
                }
                float[] batch = new float[x.length];
                Kernels.scalar().kernel(spec).applyAlongDim0(x, 0, batch, 0, rows, cols);
                float[] out = online(spec, x, rows, cols, order);
                KernelAgreementTest.assertAgree(
                        s + " " + rows + "x" + cols,
                        GoldenRule.Scale.of(spec.activation().functionalName()),
                        x,
                        rows,
                        cols,
                        batch,
                        out);
            }
        }
    }

    @Test
    void aFeatureThatIsMinusInfinityEverywhereIsNaNAsInPyTorch() {
        ActivationSpec spec = ActivationSpec.parse("softmax");
        OnlineSoftmax state = new OnlineSoftmax(spec, 2);
        float[] rows = {Float.NEGATIVE_INFINITY, 1f, Float.NEGATIVE_INFINITY, 2f};
        state.add(rows, 0);
        state.add(rows, 2);
        float[] out = new float[2];
        state.normalize(rows, 0, out, 0);
        assertThat(out[0]).isNaN();
        assertThat(out[1]).isEqualTo(0.26894143f);
    }

    @Test
    void restoredStateContinues() {
        ActivationSpec spec = ActivationSpec.parse("softmax");
        OnlineSoftmax a = new OnlineSoftmax(spec, 1);
        a.add(new float[] {1f}, 0);
        OnlineSoftmax restored =
                new OnlineSoftmax(spec, a.maxes().clone(), a.sums().clone(), a.count());
        restored.add(new float[] {2f}, 0);
        float[] out = new float[1];
        restored.normalize(new float[] {2f}, 0, out, 0);
        assertThat(out[0]).isEqualTo(0.7310586f);
        assertThat(restored.count()).isEqualTo(2);
        assertThat(restored.copy().count()).isEqualTo(2);
    }

    @Test
    void refusesElementwiseOpsAndMismatchedDimensions() {
        assertThatThrownBy(() -> new OnlineSoftmax(ActivationSpec.parse("relu"), 3))
                .hasMessageContaining("the online form is for softmax");
        ActivationSpec spec = ActivationSpec.parse("softmax");
        assertThatThrownBy(() -> new OnlineSoftmax(spec, 3).merge(new OnlineSoftmax(spec, 4)))
                .hasMessageContaining("dimension 4 into 3");
    }
}
