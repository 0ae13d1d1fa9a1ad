package io.flinkactivations.core;

/**
 * The softmax family with {@code groups}: each of a vector's equal, contiguous groups normalised on
 * its own, as PyTorch's {@code x.view(groups, -1).softmax(-1).view(-1)}.
 */
final class GroupedSoftmaxKernel implements ActivationKernel {
    private final ActivationKernel whole;
    private final int groups;

    GroupedSoftmaxKernel(ActivationKernel whole) {
        this.whole = whole;
        this.groups = whole.spec().groups();
    }

    @Override
    public ActivationSpec spec() {
        return whole.spec();
    }

    /**
     * @throws IllegalArgumentException when the groups do not divide {@code len} (see {@link
     *     ActivationSpec#checkDimension})
     */
    @Override
    public void apply(float[] in, int inOff, float[] out, int outOff, int len) {
        Checks.slice(in, inOff, out, outOff, len);
        if (len % groups != 0) {
            throw new IllegalArgumentException(spec().checkDimension(len));
        }
        int size = len / groups;
        for (int g = 0; g < len; g += size) {
            whole.apply(in, inOff + g, out, outOff + g, size);
        }
    }

    /** Each record on its own: the groups are within a vector. */
    @Override
    public void applyAlongDim0(float[] in, int inOff, float[] out, int outOff, int rows, int cols) {
        Checks.slice(in, inOff, out, outOff, Checks.batchLength(rows, cols));
        for (int r = 0; r < rows; r++) {
            apply(in, inOff + r * cols, out, outOff + r * cols, cols);
        }
    }

    @Override
    public String toString() {
        return "grouped " + whole;
    }
}
