package io.flinkactivations.core;

/** Base of the softmax-family kernels of both implementations. */
abstract class SoftmaxKernel implements ActivationKernel {
    final ActivationSpec spec;
    final SoftmaxMath math;

    SoftmaxKernel(ActivationSpec spec) {
        this.spec = spec;
        this.math = new SoftmaxMath(spec);
    }

    @Override
    public final ActivationSpec spec() {
        return spec;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " " + spec;
    }
}
