package io.flinkactivations.core;

import java.util.Objects;

/** Argument checks shared by the kernels: fail with a clear message rather than corrupt memory. */
final class Checks {
    private Checks() {}

    static void slice(float[] in, int inOff, float[] out, int outOff, int len) {
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, len, out.length);
        if (in == out && inOff != outOff && Math.abs(inOff - outOff) < len) {
            throw new IllegalArgumentException(
                    "input and output slices overlap at different offsets");
        }
    }

    static int batchLength(int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative batch shape " + rows + " x " + cols);
        }
        return Math.multiplyExact(rows, cols);
    }
}
