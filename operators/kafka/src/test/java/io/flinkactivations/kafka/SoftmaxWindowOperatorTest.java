package io.flinkactivations.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.stream.internal.SoftmaxWindowOperator;
import java.util.SplittableRandom;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.junit.jupiter.api.Test;

/**
 * {@link SoftmaxWindowOperator} on heap state (Flink's default): the shared semantics, plus what it
 * stores: each record once whatever the overlap, and at most 2x its raw float bytes.
 */
class SoftmaxWindowOperatorTest extends WindowOperatorSemantics {

    @Override
    StateBackend stateBackend() {
        return new HashMapStateBackend();
    }

    @Test
    void aRecordIsStoredOnceWhateverTheOverlap() throws Exception {
        // the same 200 records buffered by a tumbling and by a 10x sliding window: the same state
        long tumbling = bufferedStateBytes("tumbling(1000ms)", 200, 64, false);
        long sliding = bufferedStateBytes("sliding(1000ms, 100ms)", 200, 64, false);
        assertThat(sliding)
                .isLessThan(tumbling + 200L * 64 * 4 / 10); // the slices' cached statistics aside
        assertThat((double) sliding).isLessThan(1.1 * tumbling);
    }

    @Test
    void statePerBufferedRecordIsAtMostTwiceItsRawFloatBytes() throws Exception {
        // JSON keeps the record's other fields ({"id":"r-123","ts":10123,"features":[]}, 39 bytes
        // here): at D = 16 those outweigh the floats; from D = 64 on they fit in the bound
        for (boolean json : new boolean[] {false, true}) {
            for (int d : json ? new int[] {64, 1024} : new int[] {1, 16, 64, 1024}) {
                long small = bufferedStateBytes("tumbling(1h)", 100, d, json);
                long large = bufferedStateBytes("tumbling(1h)", 300, d, json);
                double perRecord = (large - small) / 200.0;
                assertThat(perRecord)
                        .as("%s D=%d: %.1f bytes per record", json ? "json" : "f32le", d, perRecord)
                        .isLessThanOrEqualTo(
                                Math.max(
                                        2.0 * 4 * d,
                                        4 * d + 25)); // D = 1: a timestamp and two lengths
            }
        }
    }

    /** Snapshot size of a window operator holding {@code n} records of one key (none fired). */
    long bufferedStateBytes(String window, int n, int d, boolean json) throws Exception {
        SplittableRandom rnd = new SplittableRandom(3);
        try (var h = harness(window, 0)) {
            h.open();
            for (int i = 0; i < n; i++) {
                FeatureVector v =
                        json
                                ? jsonRecord("sensor-1", 10_000 + i, random(rnd, d), i)
                                : record("sensor-1", 10_000 + i, random(rnd, d));
                h.processElement(v, v.timestamp());
            }
            OperatorSubtaskState state = h.snapshot(1, 1);
            return state.getStateSize();
        }
    }
}
