package io.flinkactivations.core;

/** An element-wise activation bound to its parameters: the reference (scalar) form. */
@FunctionalInterface
interface ScalarFunction {
    float apply(float x);
}
