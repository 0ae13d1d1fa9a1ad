package io.flinkactivations.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkactivations.testutils.GoldenCase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** running_batch_norm against PyTorch's BatchNorm1d, over the golden count windows. */
class RunningBatchNormTest {

    /**
     * Each record by the statistics the windows before it left, then its window (of {@code size}
     * records) as one batch; the statistics by parts merged, as sliding windows merge slices.
     */
    static float[] run(ActivationSpec spec, float[] x, int rows, int cols, int size) {
        RunningBatchNorm running = new RunningBatchNorm(spec);
        double[] state = RunningBatchNorm.initialState(cols);
        float[] out = new float[x.length];
        for (int start = 0; start < rows; start += size) {
            int n = Math.min(size, rows - start);
            running.normalizeRows(state, x, start * cols, n, cols, out, start * cols);
            ColumnStatistics window = ColumnStatistics.create(spec, cols);
            int half = n / 2;
            ColumnStatistics part = ColumnStatistics.create(spec, cols);
            part.addRows(x, start * cols, half);
            window.addRows(x, (start + half) * cols, n - half);
            window.merge(part.state(), part.count());
            double[] before = state.clone();
            double[] next = running.update(state, window);
            assertThat(state).as("update writes a new array").containsExactly(before);
            state = next;
        }
        return out;
    }

    @Test
    void goldenCasesMatchPyTorchsBatchNorm1d() {
        List<GoldenCase> cases = GoldenCase.running();
        assertThat(cases).hasSize(8);
        for (GoldenCase c : cases) {
            WindowSpec window = WindowSpec.parse(c.window());
            float[] out =
                    run(
                            ActivationSpec.parse(c.spec()),
                            c.input(),
                            c.rows(),
                            c.cols(),
                            (int) window.count());
            assertThat(c.check(c + " over " + c.window(), out)).isNull();
        }
    }

    @Test
    void statisticsStartAsPyTorchsAndOneRecordWindowsLeaveThem() {
        ActivationSpec spec = ActivationSpec.parse("running_batch_norm(momentum=None, eps=0)");
        assertThat(spec.canonical()).isEqualTo("running_batch_norm(momentum=None, eps=0)");
        assertThat(ActivationSpec.parse(spec.canonical())).isEqualTo(spec);
        RunningBatchNorm running = new RunningBatchNorm(spec);
        double[] state = RunningBatchNorm.initialState(2);
        assertThat(state).containsExactly(0, 0, 1, 1, 0);
        ColumnStatistics one = ColumnStatistics.create(spec, 2);
        one.addRows(new float[] {5, 6}, 0, 1);
        assertThat(running.update(state, one)).isSameAs(state);
        ColumnStatistics two = ColumnStatistics.create(spec, 2);
        two.addRows(new float[] {1, 2, 3, 6}, 0, 2);
        double[] next = running.update(state, two);
        // the first batch's mean and unbiased variance, as momentum=None's average of one batch
        assertThat(next).containsExactly(2, 4, 2, 8, 1);
        float[] out = new float[2];
        running.normalizeRows(next, new float[] {4, 4}, 0, 1, 2, out, 0);
        assertThat(out).containsExactly((float) (2 / Math.sqrt(2)), 0f);
        assertThat(RunningBatchNorm.batches(next)).isEqualTo(1);
    }

    @Test
    void itNeedsAWindow() {
        assertThatThrownBy(() -> ActivationSpec.parse("running_batch_norm").checkForMap())
                .hasMessageStartingWith(
                        "running_batch_norm keeps running statistics that each window updates");
        assertThat(ActivationSpec.parse("layer_norm | running_batch_norm").alongDim0Step())
                .isEqualTo(1);
        assertThatThrownBy(() -> ActivationSpec.parse("running_batch_norm(momentum=2)"))
                .hasMessageContaining("in [0, 1] or None");
    }
}
