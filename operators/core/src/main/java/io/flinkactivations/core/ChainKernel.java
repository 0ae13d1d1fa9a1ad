package io.flinkactivations.core;

import java.util.List;

/**
 * A chain of steps in one pass: the first step writes the output, every later one runs on it in
 * place, so no intermediate array is made. Along dim 0 each step runs as its own kernel does (per
 * record, or each feature across the records).
 */
final class ChainKernel implements ActivationKernel {
    private final ActivationSpec spec;
    private final ActivationKernel[] steps;

    ChainKernel(ActivationSpec spec, List<ActivationKernel> steps) {
        this.spec = spec;
        this.steps = steps.toArray(new ActivationKernel[0]);
    }

    @Override
    public ActivationSpec spec() {
        return spec;
    }

    @Override
    public void apply(float[] in, int inOff, float[] out, int outOff, int len) {
        steps[0].apply(in, inOff, out, outOff, len);
        for (int i = 1; i < steps.length; i++) {
            steps[i].apply(out, outOff, out, outOff, len);
        }
    }

    @Override
    public void applyAlongDim0(float[] in, int inOff, float[] out, int outOff, int rows, int cols) {
        steps[0].applyAlongDim0(in, inOff, out, outOff, rows, cols);
        for (int i = 1; i < steps.length; i++) {
            steps[i].applyAlongDim0(out, outOff, out, outOff, rows, cols);
        }
    }

    @Override
    public String toString() {
        return "chain " + spec;
    }
}
